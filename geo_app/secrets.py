"""Credentials never leave the program: one function masks them in any text.

Every message, log line and UI caption that can carry a store location (a
``postgresql://`` URL, a libpq connection string, an error text quoting either) goes
through :func:`mask_url` before it is shown. It masks

- the password in a URL's userinfo: ``postgresql://u:pw@h/db`` → ``postgresql://u:***@h/db``
  (the password runs to the last ``@`` of the URL, so an unencoded ``@`` in it is masked
  too, and a URL that does not parse, e.g. a port ``notaport``, is masked all the same);
- ``key=value`` pairs whose key names a secret, in URL queries and libpq keyword strings
  (``?password=…``, ``&sslpassword=…``, ``password='my secret' host=…``, ``PGPASSWORD=…``,
  ``pwd=…``, ``passwd=…``, ``*_token=…``, ``*_key=…``, ``tk=…``), any case, and the same
  keys in ``key: value`` / ``"key": "value"`` form;
- the literal value of every environment variable whose name names a secret
  (``PGPASSWORD``, ``GEO_APP_TIANDITU_KEY`` …) wherever it appears in the text.

It is pure text processing (no parsing that could fail), so it never raises.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from geo_app.domain.messages import refusal
from geo_app.errors import StoreError

__all__ = ["MASK", "is_secret_name", "malformed_url_error", "malformed_url_message", "mask_url"]

#: What a secret is replaced with.
MASK = "***"

#: Names of parameters/variables whose value is a secret (matched case-insensitively).
_SECRET_NAME = (
    r"[a-z0-9_.\-]*(?:password|passwd|passphrase|pwd|secret|token|api_?key|_key)|tk"
)
_SECRET_NAME_RE = re.compile(rf"(?:{_SECRET_NAME})", re.IGNORECASE)

# scheme://[user]:PASSWORD@ — the password runs to the last "@" before whitespace: a
# quote, comma or "/" may be part of a password, so only whitespace ends it (masking a
# little too much is the safe side).
_USERINFO_RE = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.\-]*://[^\s:/@]*:)(?P<secret>\S*)@", re.IGNORECASE)
# key=value (URL query, libpq keyword string, env assignment) and key: value / "key": "value".
# A quoted value runs to its closing quote (or the end); a bare one to whitespace or "&",
# leaving closing quotes/brackets and one full stop of the surrounding message in place.
_VALUE = (r"'(?:[^'\\]|\\.)*'?|\"(?:[^\"\\]|\\.)*\"?"
          r"|[^\s&]+?(?=['\")\]}]*[.,;:]?(?:[\s&#]|$))")
_PAIR_RE = re.compile(
    rf"(?P<head>(?<![a-z0-9_])(?P<q>['\"]?)(?:{_SECRET_NAME})(?P=q)\s*(?:=|:)\s*)"
    rf"(?P<secret>{_VALUE})",
    re.IGNORECASE,
)
#: Environment values shorter than this are not searched for (too likely to be words).
_MIN_ENV_SECRET = 6
#: Environment variables whose names look secret but are not (the shell's directories).
_ENV_NOT_SECRET = frozenset({"PWD", "OLDPWD"})


def is_secret_name(name: str) -> bool:
    """True if a parameter or environment variable called ``name`` holds a secret.

    >>> is_secret_name("PGPASSWORD"), is_secret_name("GEO_APP_TIANDITU_KEY")
    (True, True)
    >>> is_secret_name("GEO_APP_HOME")
    False
    """
    return _SECRET_NAME_RE.fullmatch(name.strip()) is not None


def _env_secrets() -> list[str]:
    values = {value for name, value in os.environ.items()
              if name.upper() not in _ENV_NOT_SECRET and is_secret_name(name)
              and len(value) >= _MIN_ENV_SECRET}
    return sorted(values, key=len, reverse=True)


def _mask_pair(match: re.Match[str]) -> str:
    secret = match["secret"]
    quote = secret[0] if secret[:1] in ("'", '"') else ""
    return f"{match['head']}{quote}{MASK}{quote}"


def mask_url(text: str) -> str:
    """``text`` with every credential it contains replaced by ``***``.

    Use it on anything shown to a user or logged that may hold a store location: the
    location itself (``postgresql://u:pw@host/db``), a libpq keyword string, or a
    message quoting one. Text without credentials comes back unchanged.

    Parameters
    ----------
    text
        A URL, a connection string, or any message.

    Returns
    -------
    str
        The same text, secrets masked (see the module notes for every form).

    Examples
    --------
    >>> mask_url("postgresql://u:pw@h/db")
    'postgresql://u:***@h/db'
    >>> mask_url("postgresql://u@h/db?sslmode=require&PassWord=secret")
    'postgresql://u@h/db?sslmode=require&PassWord=***'
    >>> mask_url("password='my secret' host=db")
    "password='***' host=db"
    """
    if not text:
        return text
    masked = _USERINFO_RE.sub(_mask_userinfo, text)
    masked = _PAIR_RE.sub(_mask_pair, masked)
    for value in _env_secrets():
        masked = masked.replace(value, MASK)
    return masked


#: The placeholder in advice texts ("postgresql://USER:PASSWORD@HOST…"): not a secret.
_PLACEHOLDER = "://USER:PASSWORD@"


def _mask_userinfo(match: re.Match[str]) -> str:
    if match.group(0).endswith(_PLACEHOLDER):
        return match.group(0)
    return f"{match['head']}{MASK}@"


def malformed_url_error(url: str) -> StoreError:
    """The refusal of a database URL that cannot be used, never quoting it.

    No part of ``url`` is repeated (a misplaced ``@`` or ``/`` in a password shifts the
    password into what looks like the host or port), only what is wrong with it and
    how to write it; code ``url.malformed``, rendered in Chinese or English by
    :func:`geo_app.domain.messages.render`.
    """
    return refusal(StoreError, "url.malformed", {"problem": _url_problem(url)})


def malformed_url_message(url: str) -> str:
    """The English text of :func:`malformed_url_error`.

    Examples
    --------
    >>> malformed_url_message("postgresql://u:pw@host:notaport/x")  # doctest: +ELLIPSIS
    'The store URL given (--store or GEO_APP_STORE) is not a usable PostgreSQL URL: its...'
    """
    return str(malformed_url_error(url))


def _url_problem(url: str) -> str:
    scheme, sep, rest = url.strip().partition("://")
    if not sep:
        return "no_scheme"
    if scheme.lower() not in ("postgresql", "postgres", "postgresql+psycopg2"):
        return "scheme"
    if rest.split("/", 1)[0].split("?", 1)[0].count("@") > 1:
        return "at"
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "ipv6"
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        return "port"
    return "unparsed"
