"""``nntui serve``: the app in a web browser, one app process per browser tab.

    nntui serve [--host 127.0.0.1] [--port 8000] [the app's flags...]

The app's flags (``--preset xor``, ``--eta 0.5``, ``--runs-db PATH``...) are checked here as
``nntui`` checks them, then every tab that opens the page gets its own ``nntui`` process with
those flags, drawn in the page by textual-serve (xterm.js over a websocket).  Each tab has its
own app and its own runs; they all record into the one run history, which SQLite's WAL lets
several processes write at once.

It listens on the loopback address unless told otherwise: the app has no login, and whoever
reaches the port can use it, and read and write files as the user who runs it.  Another host is
an explicit choice, and the command says so plainly; an SSH tunnel is the safer way to reach it
from another machine (``ssh -L 8000:127.0.0.1:8000 HOST``).

Closing a tab ends its app as SIGTERM ends the app: its run stops after its mini-batch and is
recorded as stopped.  Ctrl+C (SIGINT) or SIGTERM to the server does the same to every app it
started, waits for them (at most :data:`APP_GRACE` seconds, then kills what is left), and exits
130 or 143.  A second Ctrl+C kills them at once.  Each app runs in a session of its own, so the
terminal's Ctrl+C reaches the server only, and the server ends each app once.  A server killed
outright (SIGKILL) cannot end its apps: each finds its parent gone and ends itself the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import ipaddress
import logging
import os
import shlex
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from nntui.cli.arguments import (
    add_config_arguments,
    config_from_args,
    consoles,
    loaded_or_exit,
    print_presets,
)
from nntui.cli.arguments import flag as flag_name
from nntui.config import DEFAULTS, SPECS
from nntui.render.text import safe
from nntui.status import ExitStatus

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

APP_GRACE = 20.0
"""Seconds an app is given, after SIGTERM, to stop its run, record it and exit, before it and
everything it started are killed.  The app itself ends at once after 15 s of stopping."""

log = logging.getLogger(__name__)

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui serve",
        description="Serve the app to a web browser: each tab that opens the address gets its own "
                    "app, with the flags given here (as 'nntui' takes them). Listens on "
                    "127.0.0.1 only unless --host says otherwise; the app has no login. Ctrl+C "
                    "stops every app it started (their runs recorded as stopped) and the server.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default 127.0.0.1, this machine only; "
                             "anything else lets others use the app: see the README's "
                             "SSH tunnel instead)")
    parser.add_argument("--port", type=port_value, default=DEFAULT_PORT,
                        help="TCP port to listen on (default 8000; 0 picks a free one)")
    add_config_arguments(parser)
    parser.add_argument("--load", metavar="PATH",
                        help="each tab opens with this saved network (.npz or .json), as "
                             "'nntui --load' does")
    return parser


def port_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is out of range; use 1 to 65535 (or 0 for "
                                         f"any free port)")
    return value


def app_arguments(args: argparse.Namespace) -> list[str]:
    """The app's flags, as each tab's ``nntui`` gets them: the ones given, paths made absolute
    (so that they mean what they meant where ``nntui serve`` was typed)."""
    argv: list[str] = []
    if args.preset is not None:
        argv += ["--preset", args.preset]
    for name in SPECS:
        if hasattr(args, name):
            argv += [flag_name(name), str(getattr(args, name))]
    for option, value in (("--runs-db", args.runs_db), ("--data-dir", args.data_dir),
                          ("--load", args.load)):
        if value is not None:
            argv += [option, str(Path(value).expanduser().absolute())]
    return argv


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address (or the name ``localhost``) of this machine only."""
    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, port: int) -> str:
    """What ``nntui serve`` says before it listens on an address other machines can reach."""
    user = _user()
    return (f"nntui serve: warning: listening on {host}, not on this machine's loopback "
            f"address. The app has no login: anyone who can reach port {port} can use it, and "
            f"through it read and write files as {user}. To use it from another machine, "
            f"keep the default host and open an SSH tunnel there instead: "
            f"ssh -N -L {port}:127.0.0.1:{port} {user}@THIS-MACHINE, then browse to "
            f"http://127.0.0.1:{port}\n")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no name for this uid: say which uid
        return f"uid {os.getuid()}"


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console, _ = consoles()
    if args.list_presets:
        print_presets(console)
        return ExitStatus.SUCCESS
    # Checked before any tab opens; a bad file or flag exits 2 naming it.
    loaded = loaded_or_exit(parser, args.load)
    config_from_args(parser, args, DEFAULTS if loaded is None else loaded[0])
    command = "exec " + shlex.join([sys.executable, "-m", "nntui", *app_arguments(args)])
    return serve(command, args.host, args.port)


class SafeOutput:
    """A stream whose text reaches the terminal shown, never obeyed: textual-serve copies what
    an app wrote to its standard error (a traceback, which may quote a file) to the server's
    standard output, and no control character of it may act on the terminal."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(safe(text, newlines=True))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def serve(command: str, host: str, port: int) -> int:
    """Serve ``command`` (a shell command line that runs the app) until SIGINT or SIGTERM; the
    exit status: 130 or 143 after a clean stop, 1 if the address cannot be listened on."""
    logging.basicConfig(level=logging.WARNING, format="nntui serve: %(message)s")
    server = AppServer(command, host, port)
    stdout, sys.stdout = sys.stdout, SafeOutput(sys.stdout)
    try:
        return asyncio.run(server.run())
    except KeyboardInterrupt:  # Ctrl+C before the server's own handler was in place
        return ExitStatus.SIGINT
    finally:
        sys.stdout = stdout


async def end_process_group(process: asyncio.subprocess.Process, grace: float) -> None:
    """End an app started in a session of its own: SIGTERM (it stops and records its run), at most
    ``grace`` seconds to exit, then SIGKILL to whatever is left of its process group (a sweep's
    workers, or the app itself if it hung)."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(process.wait(), grace)
    kill_group(process.pid)
    await process.wait()


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class TabApp(AppService):
    """One tab's app: a process in a session of its own, ended as a signal ends the app."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ending: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def _open_app_process(self, width: int = 80, height: int = 24
                                ) -> asyncio.subprocess.Process:
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_shell(
            self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=environment, start_new_session=True)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def on_data(self, payload: bytes) -> None:
        # A tab that went away: the app's output is still read (and dropped), so that the app
        # never blocks on a full pipe while it stops and records its run.
        with contextlib.suppress(ConnectionError, RuntimeError):
            await super().on_data(payload)

    async def on_meta(self, data: bytes) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await super().on_meta(data)

    async def stop(self) -> None:
        """End the app (once, however many ask) and wait until it and its reader are done."""
        if self._process is None:
            return
        if self._ending is None:
            self._ending = asyncio.ensure_future(self._end())
        await asyncio.shield(self._ending)

    async def _end(self) -> None:
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        assert self._process is not None
        await end_process_group(self._process, APP_GRACE)
        if self._task is not None:
            await self._task


class AppServer(Server):
    """textual-serve's server, with each tab's app ended by a signal and every app ended (and
    waited for) before the server exits."""

    def __init__(self, command: str, host: str, port: int) -> None:
        super().__init__(command, host=host, port=port, title="nntui")
        self.apps: set[TabApp] = set()
        self.sockets: set[web.WebSocketResponse] = set()
        self.ending: int | None = None
        """The exit status a signal asked for, once one came."""
        self._stop = asyncio.Event()

    def initialize_logging(self) -> None:
        """Logging is set up by :func:`serve`, in one plain style."""

    async def on_startup(self, app: web.Application) -> None:
        """The address is printed once it is listened on (:meth:`run`), not before."""

    async def run(self) -> int:
        app = await self._make_app()
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            sys.stderr.write(f"nntui serve: error: cannot listen on {self.host} port "
                             f"{self.port}: {error.strerror or error}\n")
            return ExitStatus.ERROR
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self._on_signal, signum)
        port = runner.addresses[0][1] if runner.addresses else self.port
        if not is_loopback(self.host):
            sys.stderr.write(exposure_warning(self.host, port))
            sys.stderr.flush()
        host = f"[{self.host}]" if ":" in self.host else self.host
        print(f"nntui serve: open http://{host}:{port} in a web browser; each tab gets its own "
              f"app. Ctrl+C stops every app and the server.", flush=True)
        await self._stop.wait()
        await site.stop()  # no new tabs from here on
        if self.apps:
            print(f"nntui serve: stopping {len(self.apps)} app(s), each recording its run...",
                  flush=True)
        await asyncio.gather(*(tab.stop() for tab in list(self.apps)))
        for websocket in list(self.sockets):
            with contextlib.suppress(Exception):
                await websocket.close()
        await runner.cleanup()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        print("nntui serve: stopped.", flush=True)
        return self.ending if self.ending is not None else ExitStatus.SUCCESS

    def _on_signal(self, signum: int) -> None:
        """The first SIGINT or SIGTERM stops the server cleanly; a second kills the apps now."""
        if self.ending is not None:
            for tab in list(self.apps):
                if tab.pid is not None:
                    kill_group(tab.pid)
            return
        self.ending = ExitStatus.for_signal(signum)
        self._stop.set()

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """The page, its websocket and static files addressed as the browser addressed the page
        (so it works by any name or tunnel that reaches the server)."""
        router = request.app.router
        origin = f"{request.scheme}://{request.host}"
        socket_origin = ("wss://" if request.scheme == "https" else "ws://") + request.host
        static = str(router["static"].url_for(filename="/")).rstrip("/") + "/"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": socket_origin + str(router["websocket"].url_for()),
            "config": {"static": {"url": origin + static}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """A tab opened the page: its own app, ended when the tab goes away."""
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        if self.ending is not None:
            await websocket.close()
            return websocket
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        tab = TabApp(self.command, write_bytes=websocket.send_bytes,
                     write_str=websocket.send_str, close=websocket.close,
                     download_manager=self.download_manager)
        self.apps.add(tab)
        self.sockets.add(websocket)
        try:
            await tab.start(width, height)
            await self._process_messages(websocket, tab)
        except asyncio.CancelledError:
            pass
        except Exception as error:
            log.warning("a tab's app failed: %s", error)
        finally:
            await tab.stop()
            self.apps.discard(tab)
            self.sockets.discard(websocket)
            with contextlib.suppress(Exception):
                await websocket.close()
        return websocket
