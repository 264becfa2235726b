"""Tests of telling whether the process that recorded a run still lives
(``nntui.storage.processes``): this process does, an ended one does not, and a pid that was
reused by a process started at another time is not taken for the original."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nntui.storage.processes import process_alive, process_start


def test_this_process_lives_and_an_ended_one_does_not(dead_pid: int) -> None:
    me = os.getpid()
    assert process_alive(me, process_start(me))
    assert process_alive(me, None)
    assert not process_alive(dead_pid, None)
    assert not process_alive(0, None) and not process_alive(-1, None)


def test_a_reused_pid_is_told_from_the_original() -> None:
    started = process_start(os.getpid())
    if started is None:
        pytest.skip("no /proc here to tell a reused pid")
    assert started == process_start(os.getpid()), "the identity does not change"
    assert not process_alive(os.getpid(), "another start")


def test_a_zombie_is_dead() -> None:
    """A process that has ended but whose parent has not reaped it yet."""
    if sys.platform == "win32":
        pytest.skip("no zombies on Windows")
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # ended, not reaped
        if process_start(child.pid) is None:
            pytest.skip("no /proc here to see a zombie")
        assert not process_alive(child.pid, None)
    finally:
        child.wait()
