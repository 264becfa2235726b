"""What goes wrong with a file nntui reads or writes: :class:`RunFileError`, whose message names the
file and says what to do, and the words those messages use for what is not a regular file.
"""

from __future__ import annotations

import stat


class RunFileError(Exception):
    """A run record, network file or export could not be written or read; the message says why."""


def describe_special(mode: int) -> str:
    """What a file of ``mode`` that is neither a regular file nor a folder is, in plain words."""
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"
