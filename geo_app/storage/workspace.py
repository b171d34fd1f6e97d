"""The default workspace GeoPackage, created from the bundled layers on first use.

First use is atomic and happens once, however many processes start at the same moment:

1. an exclusive lock (``fcntl.flock``) on ``.workspace.gpkg.lock`` beside the workspace
   serialises the processes that find no workspace; the others wait for it;
2. under the lock the workspace is checked again: a process that waited opens the file
   the first one published (the one an officer may already be recording into);
3. otherwise the bundled file is copied to a temporary ``.workspace-*.gpkg.part`` in the
   same folder, flushed to disk, and published with :func:`os.link`, which fails if the
   name exists: a workspace is never overwritten, even where locks do not work (some
   network file systems), and no one ever sees a half-copied file.

The temporary file is removed on every path, success or failure. Every failure of the
environment (``GEO_APP_HOME`` a file, a read-only folder, a full disk) is a
:class:`~geo_app.errors.StoreError` that says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from geo_app.domain.messages import refusal
from geo_app.errors import StoreError
from geo_app.settings import Settings

try:  # POSIX; elsewhere os.link alone keeps first use safe (both may copy, one publishes)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_NAME", "ensure_workspace"]

#: The lock file beside the workspace (left in place: removing it would race).
LOCK_NAME = ".workspace.gpkg.lock"
_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)
_FULL = (errno.ENOSPC, errno.EDQUOT)
_WHAT_TO_DO = ("Point GEO_APP_HOME at a folder you can write (it is created if missing), "
               "or open a store with --store / GEO_APP_STORE.")


def ensure_workspace(settings: Settings) -> Path:
    """The workspace GeoPackage ``GEO_APP_HOME/workspace.gpkg``, created on first use.

    What :func:`geo_app.storage.open_store` calls when no store is named. Safe to call
    from several processes at once (see the module notes): exactly one copies the
    bundled layers, and every caller gets the same published file.

    Raises
    ------
    StoreError
        ``GEO_APP_HOME`` is a file or cannot be created, the folder is read-only, the
        disk is full (nothing is left behind), or the bundled layers are missing.
    """
    home = settings.home.expanduser()
    target = home / settings.workspace_path.name
    if target.is_file():
        return target
    _check_home(home, target)
    source = settings.bundled_layers
    if not source.is_file():
        raise StoreError(
            f"The bundled layers {source} are missing. Regenerate them with "
            "`python scripts/generate_layers.py`."
        )
    with _exclusive(home):
        if target.is_file():  # another process published it while we waited
            return target
        _publish_copy(source, target)
    return target


def _check_home(home: Path, target: Path) -> None:
    """Make sure ``home`` is (or can become) a folder; a sentence for every reason not."""
    if home.exists() and not home.is_dir():
        raise refusal(StoreError, "env.home_is_file", {"home": str(home)})
    if target.exists() and not target.is_file():
        raise StoreError(f"The workspace {target} is not a file (a folder?). Move it away, "
                         "or point GEO_APP_HOME at another folder.")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (home, *home.parents) if p.exists() and not p.is_dir()),
                       home)
        raise StoreError(f"GEO_APP_HOME ({home}) cannot be a folder: {blocker} is a file. "
                         f"{_WHAT_TO_DO}") from None
    except OSError as exc:
        existing = next((p for p in home.parents if p.is_dir()), home.parent)
        raise _os_error(exc, existing, f"Cannot create the workspace folder {home}") from None


@contextlib.contextmanager
def _exclusive(home: Path) -> Iterator[None]:
    """Hold the workspace's creation lock (a no-op where ``flock`` is unavailable)."""
    if fcntl is None:
        yield
        return
    try:
        fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _os_error(exc, home, f"Cannot create the workspace in {home}") from None
    try:
        # No locks on this file system: os.link still never overwrites.
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _publish_copy(source: Path, target: Path) -> None:
    """Copy ``source`` beside ``target``, flush it, and link it in (never overwriting)."""
    home = target.parent
    what = f"Cannot create the workspace {target} from the bundled layers"
    try:
        fd, tmp_name = tempfile.mkstemp(dir=home, prefix=".workspace-", suffix=".gpkg.part")
    except OSError as exc:
        raise _os_error(exc, home, what) from None
    tmp = Path(tmp_name)
    try:
        try:
            os.close(fd)
            shutil.copyfile(source, tmp)
            _fsync(tmp)
            os.link(tmp, target)
        except FileExistsError:
            return  # published by a process that could not take the lock: open it
        except OSError as exc:
            raise _os_error(exc, home, what, needed=source.stat().st_size) from None
        _fsync_dir(home)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _os_error(exc: OSError, home: Path, what: str, *, needed: int | None = None) -> StoreError:
    """One sentence for an OS failure while creating the workspace."""
    reason = exc.strerror or str(exc)
    if exc.errno in _FULL:
        size = f" (it needs {needed / 1e6:.{1 if needed < 1e7 else 0}f} MB)" if needed else ""
        return StoreError(f"{what}: the disk holding {home} is full{size}. Nothing was "
                          "written. Free some space, or point GEO_APP_HOME at a folder on "
                          "another disk.")
    if exc.errno in _READ_ONLY:
        return StoreError(f"{what}: the folder {home} is read-only ({reason}). {_WHAT_TO_DO}")
    return StoreError(f"{what}: {reason}. {_WHAT_TO_DO}")
