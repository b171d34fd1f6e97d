"""Zip archives and uploads, safely: nothing outside a temporary folder, nothing too big.

Public API
----------
:func:`check_upload_size` refuses an upload above ``max_upload_mb`` (the app calls it on
the uploaded bytes before saving them). :func:`safe_extract` extracts a zip into a folder,
refusing zip slip (absolute paths, ``..``, drive letters), symlinks, encrypted members,
too many members and archives that expand past ``max_unzipped_mb`` (checked on the
central directory *and* counted while extracting, since headers can lie). Nested zips are
extracted as plain files, never opened. :func:`extracted_zip` extracts into a temporary
folder that is removed on leaving the ``with`` block, whatever happens.

Member names of old zips made on Chinese Windows are in GBK without the UTF-8 flag
(bit 11); they are decoded as UTF-8 or GB18030 so ``地块.shp`` stays ``地块.shp``.
Limits come from :mod:`geo_app.settings` (``GEO_APP_MAX_UPLOAD_MB``,
``GEO_APP_MAX_UNZIPPED_MB``, ``GEO_APP_MAX_ZIP_MEMBERS``), read at call time.
"""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from geo_app.errors import InputError

if TYPE_CHECKING:
    from geo_app.settings import Settings

__all__ = ["check_upload_size", "extracted_zip", "member_name", "safe_extract"]

_MB = 1024 * 1024
_CHUNK = 1024 * 1024
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_DRIVE = re.compile(r"^[A-Za-z]:")


def _settings() -> Settings:
    from geo_app.settings import get_settings

    return get_settings()


def _limits(max_total_bytes: int | None, max_members: int | None) -> tuple[int, int]:
    if max_total_bytes is not None and max_members is not None:
        return max_total_bytes, max_members
    settings = _settings()
    return (
        int(settings.max_unzipped_mb * _MB) if max_total_bytes is None else max_total_bytes,
        settings.max_zip_members if max_members is None else max_members,
    )


def _mb(n_bytes: float) -> str:
    return f"{n_bytes / _MB:,.0f} MB" if n_bytes >= _MB else f"{n_bytes:,.0f} bytes"


def check_upload_size(n_bytes: int, *, name: str | None = None) -> None:
    """Refuse an upload larger than the ``max_upload_mb`` setting (default 500 MB).

    Raises
    ------
    InputError
        Saying the size, the limit and how to raise it (``GEO_APP_MAX_UPLOAD_MB``).
    """
    limit_mb = _settings().max_upload_mb
    if n_bytes > limit_mb * _MB:
        what = name or "The upload"
        raise InputError(
            f"{what} is {_mb(n_bytes)}, more than the {limit_mb:g} MB upload limit: send a "
            "smaller file (or a zip), or raise the limit with GEO_APP_MAX_UPLOAD_MB."
        )


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker wrote it: names without the UTF-8 flag that are not
    ASCII are re-decoded from their raw bytes as UTF-8, else GB18030 (old Chinese zips)."""
    name = info.filename
    if info.flag_bits & _UTF8_FLAG or name.isascii():
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:  # already decoded another way (metadata_encoding)
        return name
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return name


def _unsafe_reason(name: str, info: zipfile.ZipInfo) -> str | None:
    """Why a member must not be extracted, or None."""
    posix = name.replace("\\", "/")
    if posix.startswith("/") or _DRIVE.match(posix):
        return "an absolute path"
    if ".." in PurePosixPath(posix).parts:
        return "a '..' path leading out of the archive's folder"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    if info.flag_bits & _ENCRYPTED_FLAG:
        return "password-protected"
    return None


def _open_zip(zip_path: Path, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(zip_path)
    except FileNotFoundError:
        raise InputError(f"No file at {name}. Check the path.") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise InputError(
            f"{name} is not a readable zip archive ({exc}): it is damaged or truncated. "
            "Make the zip again or send the files unzipped."
        ) from None


def safe_extract(
    zip_path: Path | str,
    dest: Path | str,
    *,
    max_total_bytes: int | None = None,
    max_members: int | None = None,
    source: str | None = None,
) -> list[Path]:
    """Extract every file of a zip into ``dest``, refusing anything unsafe.

    Parameters
    ----------
    zip_path
        The archive.
    dest
        An existing folder (normally a fresh temporary one; see :func:`extracted_zip`).
    max_total_bytes, max_members
        Limits; the ``max_unzipped_mb`` and ``max_zip_members`` settings when omitted.
    source
        The archive's name for messages (an upload's name); ``zip_path``'s name if omitted.

    Returns
    -------
    list of Path
        The extracted files (not folders), in archive order.

    Raises
    ------
    InputError
        The zip is damaged or truncated, holds an unsafe member (absolute path, ``..``,
        symlink, password), too many members, or expands past the limit. What was
        already extracted stays in ``dest`` (the caller removes ``dest``).
    """
    zip_path = Path(zip_path)
    name = source or zip_path.name
    limit, most = _limits(max_total_bytes, max_members)
    root = Path(dest).resolve()
    with _open_zip(zip_path, name) as zf:
        infos = zf.infolist()
        if len(infos) > most:
            raise InputError(
                f"{name} holds {len(infos):,} members, more than the limit of {most:,}: "
                "send only the dataset's files, or raise the limit with "
                "GEO_APP_MAX_ZIP_MEMBERS."
            )
        declared = sum(i.file_size for i in infos)
        if declared > limit:
            raise InputError(_too_big(name, declared, limit, "would expand to"))
        written: list[Path] = []
        total = 0
        for info in infos:
            member = member_name(info)
            reason = _unsafe_reason(member, info)
            if reason:
                raise InputError(
                    f"{name} holds a member that is {reason} ('{member}'); geo_app extracts "
                    "nothing from it. Zip the dataset's files again, from their own folder."
                )
            target = root.joinpath(*PurePosixPath(member.replace("\\", "/")).parts).resolve()
            if not target.is_relative_to(root):
                raise InputError(
                    f"{name} holds a member that leads out of its folder ('{member}'); "
                    "geo_app extracts nothing from it. Zip the dataset's files again."
                )
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            total = _copy_member(zf, info, target, name, member, total, limit)
            written.append(target)
    return written


def _copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, name: str,
                 member: str, total: int, limit: int) -> int:
    """Copy one member, counting the bytes really written against the limit."""
    try:
        with zf.open(info) as src, target.open("wb") as dst:
            while chunk := src.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise InputError(_too_big(name, total, limit, "expands to more than"))
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError,
            RuntimeError) as exc:
        raise InputError(
            f"{name}: member '{member}' cannot be extracted ({exc}): the zip is damaged, "
            "truncated or uses an unsupported compression. Make the zip again."
        ) from None
    return total


def _too_big(name: str, n_bytes: int, limit: int, verb: str) -> str:
    return (
        f"{name} {verb} {_mb(n_bytes)} once unzipped, more than the limit of {_mb(limit)}: "
        "send only the dataset's files, or raise the limit with GEO_APP_MAX_UNZIPPED_MB."
    )


@contextmanager
def extracted_zip(zip_path: Path | str, *, source: str | None = None) -> Iterator[Path]:
    """Extract a zip safely into a new temporary folder; yield the folder; always remove it.

    Use as ``with extracted_zip(path, source=name) as folder: ...``; limits come from the
    settings. The folder is removed when the block ends, on error too.
    """
    folder = Path(tempfile.mkdtemp(prefix="geo_app_zip_"))
    try:
        safe_extract(zip_path, folder, source=source)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
