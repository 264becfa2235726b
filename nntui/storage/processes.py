"""Whether the process that recorded a run still lives: a run left ``running`` by a process that
no longer exists on this host was interrupted (killed, or its machine went down).

A pid alone is not enough, since the system reuses them: on Linux the process's start time (from
``/proc``) tells a reused pid from the original.
"""

from __future__ import annotations

import os
import sys


def _proc_stat(pid: int) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name (OSError where there is none)."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
        return handle.read().rpartition(")")[2].split()


def process_start(pid: int) -> str | None:
    """An identity for process ``pid`` beyond its number (its start time on Linux), or None."""
    try:
        return _proc_stat(pid)[19]  # field 22 of proc(5), counted after the command name
    except (OSError, IndexError):
        return None


def process_alive(pid: int, started: str | None) -> bool:
    """Whether process ``pid`` (started at ``started``, if known) still exists on this host."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process there
        return _windows_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    except OSError:
        return True  # cannot tell: leave the run alone
    try:
        fields = _proc_stat(pid)
    except OSError:
        return True  # no /proc (macOS): the pid exists, which is all we can know
    if fields and fields[0] in ("Z", "X"):  # a zombie: dead, its parent has not reaped it yet
        return False
    return started is None or len(fields) < 20 or fields[19] == started


def _windows_alive(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
