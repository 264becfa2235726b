"""Tests of ``nntui serve``: bad input, the loopback default and the warning for any other host,
and a real server whose tabs (websockets, as the page opens them) each start a real app: a signal
to the server, or a tab closing, stops and records the apps' runs and leaves no process behind.

The page in a real browser is tested in tests/browser/."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import aiohttp
import psutil
import pytest

from nntui.cli.serve import SafeOutput, app_arguments, build_parser, is_loopback
from nntui.storage.history import RunHistory, RunSummary

F5 = "\x1b[15~"  # what xterm.js sends for F5
LONG_RUN = ["--preset", "xor", "--epochs", "10000", "--pace", "5"]
ADDRESS = re.compile(r"open (http://(\S+?):(\d+)) in a web browser")


def started_server(start_nntui: Callable[[list[str]], subprocess.Popen],
                   args: list[str]) -> tuple[subprocess.Popen, str, int]:
    """``nntui serve args`` in a process of its own, once it says where it listens: the process,
    the address it printed and the port."""
    process = start_nntui(["serve", "--port", "0", *args])
    assert process.stdout is not None
    line = process.stdout.readline()
    match = ADDRESS.search(line)
    if match is None:
        assert process.stderr is not None
        pytest.fail(f"no address in {line!r}; stderr: {process.stderr.read()}")
    return process, match.group(1), int(match.group(3))


def runs(db: Path) -> list[RunSummary]:
    if not db.exists():
        return []
    with RunHistory(db) as history:
        return history.list_runs()


async def open_tab(port: int) -> tuple[aiohttp.ClientSession, aiohttp.ClientWebSocketResponse]:
    """What the page does: a websocket to /ws at 120×40 cells, read until the app has drawn its
    first screen (its status line says it is ready)."""
    session = aiohttp.ClientSession()
    socket_ = await session.ws_connect(f"http://127.0.0.1:{port}/ws?width=120&height=40")
    drawn = ""
    while "ready" not in drawn:
        message = await asyncio.wait_for(socket_.receive(), 60)
        assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
        if message.type == aiohttp.WSMsgType.BINARY:
            drawn += message.data.decode("utf-8", "replace")
    return session, socket_


async def wait_until(condition: Callable[[], bool], timeout: float = 60) -> bool:
    for _ in range(int(timeout / 0.1)):
        if condition():
            return True
        await asyncio.sleep(0.1)
    return condition()


def app_processes(server: subprocess.Popen) -> list[psutil.Process]:
    """The apps a server started (each in a session of its own, so children of the server)."""
    return psutil.Process(server.pid).children(recursive=True)


# --- the command line ---------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "words"), [
    (["serve", "--port", "70000"], "70000 is out of range"),
    (["serve", "--port", "http"], "'http' is not a port number"),
    (["serve", "--eta", "fast"], "--eta"),
    (["serve", "--preset", "nope"], "unknown preset 'nope'"),
    (["serve", "--load", "/nonexistent/net.npz"], "--load"),
])
def test_bad_flags_exit_2_before_anything_listens(run_cli, argv: list[str], words: str) -> None:
    code, out, err = run_cli(argv)
    assert code == 2
    assert words in err and "Traceback" not in err
    assert "open http" not in out


def test_the_apps_flags_reach_each_tab_with_paths_made_absolute(tmp_path: Path,
                                                                monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["--preset", "xor", "--eta", "0.5", "--runs-db", "r.db",
                                      "--host", "::1", "--port", "9000"])
    assert app_arguments(args) == ["--preset", "xor", "--eta", "0.5",
                                   "--runs-db", str(tmp_path / "r.db")]


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
    ("example.org", False),
])
def test_which_hosts_are_this_machine_only(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_what_an_app_wrote_to_stderr_reaches_the_terminal_shown_not_obeyed() -> None:
    written: list[str] = []

    class Stream:
        def write(self, text: str) -> int:
            written.append(text)
            return len(text)

    SafeOutput(Stream()).write("Traceback\n  File '\x1b]0;pwned\x07.npz'\x1b[2J\n")
    assert "\x1b" not in "".join(written) and "\x07" not in "".join(written)
    assert "".join(written).count("\n") == 2 and "\\x1b" in "".join(written)


def test_it_listens_on_the_loopback_address_by_default_without_a_warning(
        start_nntui, tmp_path: Path) -> None:
    server, address, port = started_server(start_nntui, ["--runs-db", str(tmp_path / "r.db")])
    assert address.startswith("http://127.0.0.1:")
    listening = [c for c in psutil.Process(server.pid).net_connections("tcp")
                 if c.status == psutil.CONN_LISTEN]
    assert [c.laddr.ip for c in listening] == ["127.0.0.1"]
    socket.create_connection(("127.0.0.1", port), timeout=5).close()
    os.killpg(server.pid, signal.SIGINT)
    assert server.wait(timeout=30) == 130
    assert server.stderr is not None and server.stderr.read() == ""


def test_any_other_host_says_the_app_has_no_login_and_how_to_tunnel(start_nntui,
                                                                    tmp_path: Path) -> None:
    server, _, port = started_server(start_nntui, ["--host", "0.0.0.0", "--runs-db",
                                                         str(tmp_path / "r.db")])
    os.killpg(server.pid, signal.SIGTERM)
    assert server.wait(timeout=30) == 143
    assert server.stderr is not None
    warning = server.stderr.read()
    assert "warning: listening on 0.0.0.0" in warning
    assert "no login" in warning and f"anyone who can reach port {port}" in warning
    assert "read and write files" in warning
    assert f"ssh -N -L {port}:127.0.0.1:{port}" in warning


def test_a_port_in_use_is_one_line_and_exit_1(start_nntui, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = start_nntui(["serve", "--port", str(port), "--runs-db", str(tmp_path / "r.db")])
        assert server.wait(timeout=30) == 1
    assert server.stderr is not None
    err = server.stderr.read()
    assert f"nntui serve: error: cannot listen on 127.0.0.1 port {port}:" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


# --- tabs and their apps -------------------------------------------------------------------------

@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
async def test_a_signal_stops_every_app_records_their_runs_and_leaves_no_process(
        start_nntui, tmp_path: Path, signum: int, code: int) -> None:
    """Two tabs each training; the signal goes to the server's whole process group, as a
    terminal's Ctrl+C does: both runs end recorded as stopped, every epoch kept, and neither the
    apps nor anything they started is left."""
    db = tmp_path / "runs.db"
    server, _, port = started_server(start_nntui, [*LONG_RUN, "--runs-db", str(db)])
    tabs = [await open_tab(port) for _ in range(2)]
    try:
        for _, tab in tabs:
            await tab.send_json(["stdin", F5])
        assert await wait_until(lambda: sum(r.epochs_done >= 2 for r in runs(db)) == 2)
        apps = app_processes(server)
        assert len(apps) == 2
        os.killpg(server.pid, signum)
        assert await asyncio.to_thread(server.wait, 60) == code
    finally:
        for session, tab in tabs:
            await tab.close()
            await session.close()
    recorded = runs(db)
    assert [r.status for r in recorded] == ["stopped", "stopped"]
    with RunHistory(db) as history:
        for run in recorded:
            assert len(history.get_run(run.id).history) == run.epochs_done >= 2
    gone, alive = psutil.wait_procs(apps, timeout=5)
    assert alive == [] and len(gone) == 2
    assert server.stdout is not None and "stopping 2 app(s)" in server.stdout.read()


async def test_closing_a_tab_ends_its_app_and_records_its_run_the_other_tab_goes_on(
        start_nntui, tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    server, _, port = started_server(start_nntui, [*LONG_RUN, "--runs-db", str(db)])
    (first_session, first), (second_session, second) = [await open_tab(port) for _ in range(2)]
    try:
        await first.send_json(["stdin", F5])
        assert await wait_until(lambda: any(r.epochs_done >= 2 for r in runs(db)))
        first_app, second_app = sorted(app_processes(server), key=lambda p: p.create_time())
        await first.close()
        await first_session.close()
        assert await wait_until(lambda: not first_app.is_running()
                                or first_app.status() == psutil.STATUS_ZOMBIE)
        assert [r.status for r in runs(db)] == ["stopped"]
        assert second_app.is_running() and app_processes(server) == [second_app]
        await second.send_json(["stdin", F5])  # the other tab still answers keys and trains
        assert await wait_until(lambda: len(runs(db)) == 2 and runs(db)[0].epochs_done >= 1)
    finally:
        await second.close()
        await second_session.close()
    assert await wait_until(lambda: app_processes(server) == [])
    assert [r.status for r in runs(db)] == ["stopped", "stopped"]
    os.killpg(server.pid, signal.SIGINT)
    assert await asyncio.to_thread(server.wait, 60) == 130


async def test_an_app_whose_server_was_killed_ends_and_records_its_run(start_nntui,
                                                                       tmp_path: Path) -> None:
    """SIGKILL to the server alone (no chance to end its apps): each app finds its server gone
    and ends as a hang-up ends it, its run recorded as stopped."""
    db = tmp_path / "runs.db"
    server, _, port = started_server(start_nntui, [*LONG_RUN, "--runs-db", str(db)])
    session, tab = await open_tab(port)
    try:
        await tab.send_json(["stdin", F5])
        assert await wait_until(lambda: any(r.epochs_done >= 2 for r in runs(db)))
        (app,) = app_processes(server)
        server.kill()
        assert await asyncio.to_thread(server.wait, 30) == -signal.SIGKILL
        gone, alive = await asyncio.to_thread(psutil.wait_procs, [app], 60)
        assert alive == [] and len(gone) == 1
    finally:
        await tab.close()
        await session.close()
    assert [r.status for r in runs(db)] == ["stopped"]
