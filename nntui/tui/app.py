"""``NNTuiApp``: the stylesheet, the keys that work on every screen, the run history, signals.

Everything a person does with runs happens on the dashboard
(:class:`~nntui.tui.screens.dashboard.DashboardScreen`, the app's default screen).  The app
itself opens the run history before the dashboard is made and closes it last, answers quit, help
and the palette from any screen, asks before quitting while something trains, stops and records
a run when SIGTERM, SIGHUP or SIGINT arrives (and ends at once on a second one, or when stopping
takes too long), suspends on Ctrl+Z and redraws everything on ``fg``, and covers the dashboard
with a notice while the terminal is too small for it.  Its terminal is
:class:`~nntui.tui.terminal.Terminal`, Textual's driver made safe for a terminal that closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from pathlib import Path
from typing import ClassVar

import platformdirs
from textual import constants as textual_constants
from textual._files import generate_datetime_filename
from textual.app import App
from textual.binding import BindingType
from textual.driver import Driver
from textual.events import Resize
from textual.notifications import SeverityLevel

from nntui.config import DEFAULTS, Config
from nntui.render.text import safe
from nntui.runner.lifecycle import open_history
from nntui.status import ExitStatus
from nntui.storage import records as runs
from nntui.storage.history import RunHistory
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.dialogs.help import HelpScreen
from nntui.tui.keys import GLOBAL_KEYS
from nntui.tui.messages import FileSaved
from nntui.tui.screens.dashboard import DashboardScreen
from nntui.tui.screens.too_small import TooSmallScreen, too_small
from nntui.tui.settings import PROGRESS_INTERVAL, Settings

GIL_SWITCH_INTERVAL = 0.05
"""Seconds a thread may hold the GIL before another that wants it forces a switch (Python's default
is 0.005).  The trainer releases the GIL in every BLAS call, so the UI still gets it within
microseconds when it needs it; but the default forces a switch back and forth hundreds of times a
second while the UI redraws.  Measured with benchmarks/bench_responsiveness.py (3 progress
reports a second): throughput ratio 0.87-0.89 with the default, 0.95-0.97 with 50 ms, key p95
about 30 ms either way."""

SIGNALS = tuple(s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None), signal.SIGINT)
                if s is not None)
"""What ends the app like a confirmed quit: a polite kill, the terminal closing, an interrupt
(the app's own Ctrl+C is a key; this is ``kill -INT``)."""

ENDING_GRACE = 15.0
"""Seconds a signal gives the app to stop its run or sweep, record it and restore the terminal;
after that (or at a second signal) it ends at once, its child processes with it.  Stopping
takes a mini-batch for a run, and 1-3 s for a sweep on a local cluster of 2 workers."""

TERMINAL_CHECK_INTERVAL = 1.0
"""Seconds between two looks at whether the terminal is still there (one ``tcgetattr``): an idle
app writes nothing, so a terminal gone without a SIGHUP is found this way."""


def screenshots_dir() -> Path:
    """Where "Save screenshot" puts its SVGs: ``screenshots`` in the user's data folder for
    nntui (beside its run history)."""
    return Path(platformdirs.user_data_dir("nntui")) / "screenshots"


class NNTuiApp(App[None]):
    """The app.  ``config`` fills the form (the CLI's flags or preset); every run is recorded in
    the run history ``runs_db`` (default: ``$NNTUI_RUNS_DB`` or the user's data folder);
    ``runs_dir`` is where saved networks go (default: the user's data folder, or
    ``$NNTUI_RUNS_DIR``); ``show_timing=False`` hides clocks and speeds, for reproducible
    screenshots and snapshot tests."""

    TITLE = "nntui"
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute, so subclasses elsewhere find it
    BINDINGS: ClassVar[list[BindingType]] = GLOBAL_KEYS

    dashboard: DashboardScreen
    """The default screen, made (with the run history) when the app starts."""

    def __init__(self, config: Config = DEFAULTS, data_dir: str | None = None, *,
                 runs_dir: Path | None = None, runs_db: str | Path | None = None,
                 show_timing: bool = True,
                 progress_interval: float = PROGRESS_INTERVAL,
                 blas_threads: int | None = 1, load: Path | None = None) -> None:
        super().__init__()
        self.load = load  # a saved network to open with (nntui --load)
        env_dir = os.environ.get("NNTUI_RUNS_DIR")
        self.settings = Settings(config=config, data_dir=data_dir,
                                 runs_dir=Path(runs_dir or env_dir or runs.runs_dir()),
                                 show_timing=show_timing, progress_interval=progress_interval,
                                 blas_threads=blas_threads)
        self.runs_db = runs_db
        self.history: RunHistory | None = None
        self._switch_interval = sys.getswitchinterval()
        self.ending: int | None = None
        """The exit status a signal asked for, once one came."""
        self._deadline: threading.Timer | None = None
        self._server = 0
        """Served to a browser: the server's process id (this process's parent)."""

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Textual's "Save screenshot" (the palette) saves into the user's Downloads folder and
        fails where there is none: here it saves into nntui's own data folder, made if need be
        (Textual's notification then says where).  Served to a browser, where Textual would only
        send it to the browser, it is saved there all the same and offered as a download."""
        folder = Path(path) if path is not None else screenshots_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.notify(f"Cannot make {folder}: {error.strerror or error}", severity="error",
                        title="Screenshot not saved", timeout=10)
            return None
        if not self.is_web:
            return super().deliver_screenshot(filename, str(folder), time_format)
        target = folder / (filename or generate_datetime_filename(self.title, ".svg",
                                                                  time_format))
        try:
            target.write_text(self.export_screenshot(), encoding="utf-8")
        except OSError as error:
            self.notify(f"Cannot write {target}: {error.strerror or error}", severity="error",
                        title="Screenshot not saved", timeout=10)
            return None
        self.notify(str(target), title="Screenshot saved", timeout=8)
        return self.offer_download(target)

    def offer_download(self, path: Path) -> str | None:
        """Served to a browser: offer the file at ``path`` (already written where it belongs) to
        the browser as a download; the delivery's key, or None in a terminal, where the file is
        already where the person can open it."""
        if not self.is_web:
            return None
        try:
            return self.deliver_binary(path, open_method="download", name="download")
        except OSError as error:
            self.notify(f"Cannot offer {path} for download: {error.strerror or error}",
                        severity="error", title="No download", timeout=10)
            return None

    def on_file_saved(self, message: FileSaved) -> None:
        """A saved network or an exported run: written where it belongs, and, served to a
        browser, offered there as a download too."""
        self.offer_download(message.path)

    def get_driver_class(self) -> type[Driver]:
        """On Unix, :class:`~nntui.tui.terminal.Terminal`: a closed terminal ends the app instead
        of hanging it, and Ctrl+Z suspends it.  A driver named by ``$TEXTUAL_DRIVER`` comes
        first: textual-serve names its web driver there for each browser tab's app
        (``nntui serve``)."""
        if textual_constants.DRIVER is not None or not hasattr(signal, "SIGTSTP"):
            return super().get_driver_class()
        from nntui.tui.terminal import Terminal

        return Terminal

    def get_default_screen(self) -> DashboardScreen:
        """The dashboard, with the run history opened for it (what went wrong opening it, the
        dashboard says)."""
        problems: list[str] = []
        self.history = open_history(self.runs_db, problems.append)
        self.dashboard = DashboardScreen(self.settings, history=self.history,
                                         history_problems=problems)
        return self.dashboard

    def on_mount(self) -> None:
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self._on_signal, signum)
        self.app_resume_signal.subscribe(self, self._redraw)
        if hasattr(self._driver, "check_terminal"):  # a terminal gone without a SIGHUP: see below
            self.set_interval(TERMINAL_CHECK_INTERVAL, self._driver.check_terminal)
        if self.is_web:  # served (nntui serve): a server gone unannounced ends the app too
            self._server = os.getppid()
            self.set_interval(TERMINAL_CHECK_INTERVAL, self._check_server)
        self._check_size(self.size.width, self.size.height)
        if self.load is not None:
            self.call_after_refresh(self._open_with_network, self.load, self.settings.config)

    def _open_with_network(self, path: Path, config: Config) -> None:
        """``nntui --load``: the network loaded as the app's own "load network" does, then the
        form set to its config as the other flags changed it."""
        self.dashboard.training.load_network(path)
        self.dashboard.form.load(config)

    def on_unmount(self) -> None:
        # Whatever way the app ends, no training thread may outlive it, and the history closes.
        self.dashboard.shut_down()
        if self.history is not None:
            self.history.close()
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signum)
        sys.setswitchinterval(self._switch_interval)
        if self._deadline is not None:
            self._deadline.cancel()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification, from any screen, shown as it reads: through
        :func:`~nntui.render.text.safe` and not as markup unless asked.  Notifications quote
        names, paths and errors from a shared run history or a file, which must never reach the
        terminal as control characters, nor break the app as bad markup."""
        super().notify(safe(message), title=safe(title), severity=severity, timeout=timeout,
                       markup=markup)

    # --- the keys of every screen ----------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            bindings = self.dashboard.command_bindings()
            browser = [(keys, name) for keys, _, name, _ in bindings] if self.is_web else None
            self.push_screen(HelpScreen(((keys, f"**{description}**: {help_text}")
                                         for keys, _, description, help_text in bindings),
                                        browser=browser))

    def action_suspend_process(self) -> None:
        """Ctrl+Z: what a terminal does with it for a program that lets it (nntui reads it as a
        key): SIGTSTP to the terminal's foreground job, this process and a sweep's worker
        processes alike, as ``vim`` does.  The driver gives the terminal back before the process
        stops, and ``fg`` brings everything back."""
        driver = self._driver
        if driver is None or not driver.can_suspend or not hasattr(signal, "SIGTSTP"):
            return
        self.app_suspend_signal.publish(self)
        try:
            job = os.tcgetpgrp(sys.__stdin__.fileno())
        except (OSError, AttributeError, ValueError):
            job = 0
        if job == os.getpgrp():
            os.killpg(job, signal.SIGTSTP)
        else:  # not this process's job in the foreground (or no terminal to ask): itself only
            os.kill(os.getpid(), signal.SIGTSTP)

    async def action_quit(self) -> None:
        busy = self.dashboard.busy()
        if busy is None:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._stop_and_exit(), exclusive=True, group="quit")

        self.push_screen(ConfirmScreen(f"{busy} training. Stop it and quit?",
                                       yes="Stop and quit", no="Keep training"), answered)

    async def _stop_and_exit(self, return_code: int = 0) -> None:
        await self.dashboard.wind_down()
        self.exit(return_code=return_code)

    def _on_signal(self, signum: int) -> None:
        """SIGTERM, SIGHUP (the terminal closed) or SIGINT: like a confirmed quit, the run stops
        after its mini-batch and is recorded, the sweep stops and its cluster closes, the
        terminal (if it is still there) is restored, and the exit status is the shell's 128 +
        the signal's number.  A second signal, or :data:`ENDING_GRACE` seconds without an end,
        ends the process at once (not a SIGHUP after a hang-up: the app may have found the
        terminal gone before the kernel's SIGHUP came)."""
        hang_up = signum == getattr(signal, "SIGHUP", None)
        if self.ending is not None:
            if hang_up and self.ending == ExitStatus.for_signal(signum):
                return  # the kernel's SIGHUP after the app found the terminal gone by itself
            end_now(self.ending)
        self.ending = ExitStatus.for_signal(signum)
        driver = self._driver
        if hang_up and hasattr(driver, "check_terminal"):
            driver.check_terminal()  # nothing is drawn on a terminal that is gone
        self._deadline = threading.Timer(ENDING_GRACE, end_now, (self.ending,))
        self._deadline.daemon = True
        self._deadline.start()
        self.run_worker(self._stop_and_exit(self.ending), exclusive=True, group="quit")

    def terminal_lost(self) -> None:
        """The driver found the terminal gone (a write failed, or the check every
        :data:`TERMINAL_CHECK_INTERVAL` seconds) without a SIGHUP having come, as when the shell
        that started nntui does not pass the hang-up on: end as a SIGHUP would."""
        if self.ending is None:
            self._on_signal(signal.SIGHUP)

    def _check_server(self) -> None:
        """Served to a browser, the server is this process's parent, and ends it with SIGTERM
        when its tab closes or the server stops.  A server killed without a word (SIGKILL, a
        crash) leaves the app with nobody to draw for: the app then ends as a hang-up would,
        its run stopped and recorded, instead of training on for nobody."""
        if self.ending is None and os.getppid() != self._server:
            self._on_signal(signal.SIGHUP)

    def _redraw(self, _app: App) -> None:
        """Back from Ctrl+Z (``fg``): the terminal shows the shell's screen, so every line is
        drawn again, not only those that changed."""
        self.refresh(repaint=True, layout=True)

    # --- the terminal's size ---------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        small = too_small(width, height)
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif small and showing:
            self.screen.show(width, height)  # type: ignore[attr-defined]
        elif not small and showing:
            self.pop_screen()


def end_now(code: int) -> None:
    """End the process with ``code`` at once, its child processes (a sweep's Dask workers) first:
    what a second signal asks for, or a stop that takes too long.  A run it cuts short shows in
    the history as interrupted, with every epoch it finished."""
    try:
        import psutil  # a dependency of dask's distributed, which nntui depends on

        children = psutil.Process().children(recursive=True)
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.kill()
        psutil.wait_procs(children, timeout=2)
    except Exception:  # ending matters more than tidying up
        pass
    os._exit(code)
