"""Writing a file safely: every file nntui writes (run records, networks, exports, a comparison's
or sweep's JSON) goes through :func:`write_atomic`.

* :func:`check_writable` says before anything is written whether ``path`` may be written: nntui
  never writes through a symbolic link or over a folder, a device, a FIFO, a socket or a read-only
  file, and the folder must be writable or creatable.  Front ends call it before a long run, so a
  bad path is reported at once; the writers check again.
* The data goes to a temporary file ``.<name>.<8 hex digits>.nntui-tmp`` in the same folder, which
  then replaces the target in one step, so the target is always either the old or the new version.
  Temporary files that a killed process left behind are removed by later writes once they are an
  hour old.
* Permissions are what a plain ``open(path, "w")`` would leave: a new file gets what the umask
  gives new files (``0644`` under the usual umask 022), and a file that is replaced keeps its own
  (a private ``0600`` record stays private).
* A file larger than nntui would read back is not written (``limit``).

Every problem is a :class:`~nntui.storage.errors.RunFileError` naming the file and saying what to
do.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from nntui.storage.errors import RunFileError, describe_special
from nntui.storage.safe_read import json_limit

KINDS = ("network", "run record")
"""What :func:`check_writable` and the writers know how to write."""

NETWORK_SUFFIXES = (".npz", ".json")
"""The names a network may be saved under: the suffix says the format."""

TEMP_SUFFIX = ".nntui-tmp"
STALE_TEMP_SECONDS = 3600.0
"""Temporary files older than this are leftovers of a killed write and are removed."""

_TEMP_PATTERN = re.compile(r"\..+\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX))
_LEGACY_TEMP = re.compile(r"[a-z0-9_]{8}|partial\.npz")  # names earlier nntui versions used


def check_writable(path: str | os.PathLike, kind: str) -> Path:
    """Check that a ``kind`` ("network" or "run record") can be written to ``path``; return it.

    Front ends call this before a long run, so that a bad output path is reported at once
    instead of after hours of training; the writers make the same check.  Raises
    :class:`RunFileError`, with a message saying what to do, when:

    * a network's name does not end in ``.npz`` or ``.json``;
    * ``path`` exists and is a symbolic link, a folder, a device, a FIFO or a socket (nntui replaces
      a file whole and never writes through a link or over something that is not a regular file),
      or a read-only file;
    * the folder it goes in is not writable, or something on the way to it is a file.  A folder
      that does not exist yet is fine if it can be created: the writers create it.

    ``kind`` other than the two above is a programming error (``ValueError``).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    path = Path(path)
    if kind == "network" and path.suffix not in NETWORK_SUFFIXES:
        said = f"'{path.suffix}'" if path.suffix else "a name without a suffix"
        raise RunFileError(
            f"cannot save a network as {said} ({path}); name the file .npz or .json"
        )
    _check_target(path, kind)
    _check_folder(path)
    return path


def _check_target(path: Path, kind: str) -> os.stat_result | None:
    """Refuse to replace anything but a writable regular file (or nothing); the file's status
    if there is one."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None  # a new file; a missing or blocked folder is _check_folder's business
    except OSError as error:
        raise _write_error(path, error) from error
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        try:
            target = f" (to {os.readlink(path)})"
        except OSError:
            target = ""
        raise RunFileError(
            f"could not write {path}: it is a symbolic link{target}, and nntui replaces a file "
            f"whole rather than write through a link; give the path of the real file, or remove "
            f"the link first"
        )
    if stat.S_ISDIR(mode):
        raise RunFileError(
            f"could not write {path}: it is a folder; give the name of a {kind} file, "
            f"e.g. {path / ('net.npz' if kind == 'network' else 'run.json')}"
        )
    if not stat.S_ISREG(mode):
        raise RunFileError(
            f"could not write {path}: it is {describe_special(mode)}, not a regular file; "
            f"choose a file name that does not exist yet"
        )
    if not mode & 0o222 or not os.access(path, os.W_OK):
        raise RunFileError(
            f"could not write {path}: the file is read-only; make it writable "
            f"(chmod u+w) if it may be replaced, or choose another name"
        )
    return info


def _check_folder(path: Path) -> None:
    """The folder of ``path`` must be writable, or creatable in its nearest existing ancestor."""
    folder = path.parent
    while True:
        try:
            info = os.stat(folder)
            break
        except FileNotFoundError:
            if folder.parent == folder:
                raise RunFileError(f"could not write {path}: {folder} does not exist") from None
            folder = folder.parent
        except NotADirectoryError:
            folder = folder.parent  # the file in the way is found (and named) one level up
        except OSError as error:
            raise _write_error(path, error) from error
    if not stat.S_ISDIR(info.st_mode):
        raise RunFileError(
            f"could not write {path}: {folder} is a file, not a folder; choose another place"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        if _read_only_file_system(folder):
            raise RunFileError(
                f"could not write {path}: {folder} is on a read-only file system; choose another "
                f"place"
            )
        raise RunFileError(
            f"could not write {path}: permission denied, the folder {folder} is not writable; "
            f"choose a folder you can write to"
        )


def _read_only_file_system(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _write_error(path: Path, error: OSError) -> RunFileError:
    """A RunFileError for ``error``, saying what it means and what to do."""
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = ("the disk is full" if error.errno == errno.ENOSPC
                  else "your disk quota is used up")
        return RunFileError(
            f"could not write {path}: {reason} ({advice}); free some space or save somewhere "
            f"else. Any earlier version of the file is unchanged"
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return RunFileError(
            f"could not write {path}: {reason}; choose a folder you can write to"
        )
    if error.errno == errno.EROFS:
        return RunFileError(f"could not write {path}: {reason}; choose another place")
    return RunFileError(f"could not write {path}: {reason}")


def remove_stale_temp_files(path: str | os.PathLike,
                            older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove temporary files that killed writes left in the folder of ``path``; return them.

    Removed are regular files named like nntui's temporary files (``.<name>.<8 hex
    digits>.nntui-tmp``, for any target in the folder, plus the names earlier versions used for
    ``path`` itself) whose last change is more than ``older_than`` seconds ago; a younger one may
    belong to a write under way in another process.  Problems are ignored: cleaning up is a
    courtesy and must never stop a save.
    """
    path = Path(path)
    prefix = f".{path.name}."
    cutoff = time.time() - older_than
    removed = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        ours = _TEMP_PATTERN.fullmatch(name) or (
            name.startswith(prefix) and _LEGACY_TEMP.fullmatch(name[len(prefix):])
        )
        if not ours:
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(
                    follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _temp_file(path: Path) -> tuple[Path, IO[bytes]]:
    """A new, empty temporary file beside ``path``, created with the umask's permissions."""
    # A name of 255 bytes plus our decoration would be too long for the file system.
    stem = os.fsdecode(os.fsencode(path.name)[:200])
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = path.with_name(f".{stem}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            fd = os.open(tmp, flags, 0o666)  # the umask applies, unlike with mkstemp's 0600
        except FileExistsError:
            continue
        return tmp, os.fdopen(fd, "wb")
    raise FileExistsError(errno.EEXIST, "could not find a free temporary file name", str(path))


def write_atomic(path: str | os.PathLike, kind: str, write: Callable[[IO[bytes]], None],
                 limit: int | None = None) -> Path:
    """Write ``path`` through a temporary file so it is always either the old or the new version.

    ``write`` fills the open binary file.  ``limit``: the most bytes the file may take, so that
    nothing is written that nntui would refuse to read back.  A file that is replaced keeps its
    permissions; a new one gets what the umask gives.
    """
    path = check_writable(path, kind)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _write_error(path, error) from error
    remove_stale_temp_files(path)
    try:
        tmp, handle = _temp_file(path)
    except OSError as error:
        raise _write_error(path, error) from error
    try:
        with handle:
            kept = _keep_permissions(path, kind, tmp, None)  # before a byte of data is in it
            write(handle)
            handle.flush()
            size = handle.tell()
            if limit is not None and size > limit:
                raise RunFileError(
                    f"could not write {path}: it would take {size / 2**20:,.0f} MB, more than "
                    f"the {limit / 2**20:,.0f} MB nntui reads back"
                    + ("; save a network this large as .npz"
                       if kind == "network" and path.suffix == ".json" else "")
                )
            os.fsync(handle.fileno())
        # Something may have appeared there, or changed, while we wrote.
        _keep_permissions(path, kind, tmp, kept)
        os.replace(tmp, path)
    except BaseException as error:
        tmp.unlink(missing_ok=True)  # never leave a half-written file beside the real one
        if isinstance(error, OSError):
            raise _write_error(path, error) from error
        raise
    return path


def _keep_permissions(path: Path, kind: str, tmp: Path, given: int | None) -> int | None:
    """Check ``path`` may be replaced, and give ``tmp`` the permissions of the file there, if
    any, unless it has them already (``given``); those permissions.  This is what a plain
    ``open(path, "w")`` leaves: a replaced file keeps its mode, a new one has the umask's."""
    info = _check_target(path, kind)
    if info is None:
        return given
    mode = stat.S_IMODE(info.st_mode) & 0o777
    if mode != given:
        os.chmod(tmp, mode)
    return mode


class _Utf8Writer:
    """What ``json.dump`` needs (``write``), as UTF-8 into a binary file, in chunks of about a
    megabyte: json.dump writes token by token.  (A TextIOWrapper would close the file when it is
    collected after an error.)"""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= 2**20:
            self.flush()

    def flush(self) -> None:
        self.handle.write("".join(self.parts).encode("utf-8"))
        self.parts, self.size = [], 0


def write_json_atomic(path: str | os.PathLike, data: Any, *, kind: str = "run record") -> None:
    """Write ``data`` as JSON so that the file is always either the old or the new version, and
    no larger than nntui reads back for ``kind`` (:func:`~nntui.storage.safe_read.json_limit`).

    A full disk, a missing folder or a path that is not a writable regular file raises
    :class:`RunFileError` naming the file.
    """
    def write(handle: IO[bytes]) -> None:
        out = _Utf8Writer(handle)
        json.dump(data, out, indent=1, allow_nan=True)
        out.write("\n")
        out.flush()

    write_atomic(path, kind, write, json_limit(kind))


def write_text_atomic(path: str | os.PathLike, text: str, *, kind: str = "run record",
                      limit: int | None = None) -> Path:
    """Write ``text`` as UTF-8 through :func:`write_atomic`; the path written."""
    def write(handle: IO[bytes]) -> None:
        handle.write(text.encode("utf-8"))

    return write_atomic(path, kind, write, limit)
