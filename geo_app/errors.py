"""One error hierarchy for everything a user can get wrong.

Every message says what is wrong and what to do; the CLI and the app print
``str(error)`` and never a traceback for these.
"""

from __future__ import annotations

from collections.abc import Mapping


class GeoAppError(Exception):
    """Base of every error geo_app raises on purpose.

    Parameters
    ----------
    message
        The English message: ``str(error)``, what logs and English output show.
    code
        A stable message code (e.g. ``"transition.skipped"``) when the message is in the
        catalogue of :mod:`geo_app.domain.messages`, which renders it in Chinese or English
        (``render(error, lang)``); ``None`` for errors only ever shown in English.
    params
        The values the message is built from (parcel id, stages, dates, …), for rendering.
    """

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.params: dict[str, object] = dict(params or {})


class InputError(GeoAppError):
    """A file, argument or value given by the user cannot be used."""


class CRSError(GeoAppError):
    """The coordinate reference system is missing, unknown or unsuitable."""


class SchemaError(GeoAppError):
    """A layer's columns or values do not match its specification."""


class StoreError(GeoAppError):
    """The layer store cannot be opened, read or written."""


class TransitionError(GeoAppError):
    """A parcel stage change is not allowed by the acquisition workflow."""


class ConflictError(StoreError):
    """Someone else changed the same record first (optimistic concurrency)."""


class AssetError(GeoAppError):
    """Map scripts or styles that must be served locally are missing or unknown."""
