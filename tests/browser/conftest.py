"""What the browser tests share: a real Chromium driven by Playwright, a real ``nntui serve``, and a
tab that reads what the app drew.

The browser is the system's Chromium (``apt-get install chromium``): Playwright's own browser
download is not needed.  Without Playwright or without a Chromium the tests are skipped, each
saying which is missing (``pytest -rs`` lists the reasons), never passed.

A tab keeps every frame the app sent it over the page's websocket: the app's terminal output,
which read without its escape sequences is the text drawn on the page.  Screenshots are the page
as a person sees it, read as pixels.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pytest

from nntui.storage.history import RunHistory, RunSummary

VIEWPORT = {"width": 1400, "height": 900}
"""The window the issue asks about: at 1,400×900 pixels the app gets its 120-column layout."""

ESCAPES = re.compile(r"\x1b\[[0-9;?<>=!]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
                     r"|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x1bP[^\x1b]*\x1b\\")
ADDRESS = re.compile(r"open (http://\S+?:(\d+)) in a web browser")
TIMEOUT = 90.0
"""Seconds a test waits for something that takes a few on an idle machine: a loaded CI machine
is slower, and a test that waits in vain fails saying what it waited for."""


def chromium_path() -> str | None:
    """The system's Chromium: ``$NNTUI_CHROMIUM``, or ``chromium`` on the PATH."""
    for candidate in (os.environ.get("NNTUI_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, for one test module at a time: Playwright's sync API holds an event loop in this
    thread while it is open, and the async tests of other modules need the thread's loop free."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests skipped: Playwright is not installed "
                    "(pip install -e '.[dev]')")
    path = chromium_path()
    if path is None:
        pytest.skip("browser tests skipped: no Chromium to drive "
                    "(apt-get install chromium, or set NNTUI_CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Server:
    """A running ``nntui serve``: its process, the address it printed, its run history."""

    process: subprocess.Popen
    url: str
    db: Path

    def runs(self) -> list[RunSummary]:
        if not self.db.exists():
            return []
        with RunHistory(self.db) as history:
            return history.list_runs()

    def epochs(self, run_id: int) -> int:
        with RunHistory(self.db) as history:
            return len(history.get_run(run_id).history)

    def apps(self) -> list[psutil.Process]:
        """The app processes it started and everything they started."""
        try:
            return psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []


@pytest.fixture
def serve(tmp_path: Path, stop_group) -> Iterator[Callable[..., Server]]:
    """``serve(*flags)`` starts ``nntui serve --port 0 --runs-db TMP/runs.db flags`` in a session of
    its own and returns once it says where it listens; afterwards it and every app it started
    have ended.  Saved networks go to TMP/networks, screenshots to TMP/data/nntui/screenshots."""
    started: list[subprocess.Popen] = []
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("NNTUI_DATA_DIR", None)
    env["NNTUI_RUNS_DIR"] = str(tmp_path / "networks")  # saved networks
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # screenshots, in nntui's data folder

    def start(*flags: str) -> Server:
        db = tmp_path / "runs.db"
        process = subprocess.Popen(
            [sys.executable, "-m", "nntui", "serve", "--port", "0", "--runs-db", str(db), *flags],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            start_new_session=True, cwd=tmp_path)
        started.append(process)
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        match = ADDRESS.search(line)
        if match is None:
            pytest.fail(f"nntui serve did not start: {line!r} {process.stderr.read()!r}")
        return Server(process, match.group(1), db)

    yield start
    for process in started:
        try:
            apps = psutil.Process(process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            apps = []
        stop_group(process, grace=30)
        for app in apps:  # each app is in a session of its own: not in the server's group
            with contextlib.suppress(psutil.Error):
                app.kill()


@dataclass
class Tab:
    """A browser tab on the served app, with every frame the app sent it."""

    page: Any
    frames: list[str] = field(default_factory=list)
    socket_url: str = ""
    downloads: list[Any] = field(default_factory=list)
    """Every download the page started (the app opens each at a URL of its own)."""

    def text(self, since: int = 0) -> str:
        """What the app drew (from frame ``since`` on), its escape sequences taken out."""
        return ESCAPES.sub("", "".join(self.frames[since:]))

    def wait_until(self, condition: Callable[[], bool], what: str,
                   timeout: float = TIMEOUT) -> None:
        """Let the page run until ``condition()`` holds; fail saying ``what`` did not happen."""
        for _ in range(int(timeout / 0.1)):
            if condition():
                return
            self.page.wait_for_timeout(100)
        assert condition(), f"timed out waiting for {what}"

    def wait_for_text(self, words: str, since: int = 0, timeout: float = TIMEOUT) -> None:
        self.wait_until(lambda: words in self.text(since), f"{words!r} on the page", timeout)

    def focus(self) -> None:
        """Keys to the terminal, as a click on it would."""
        self.page.focus(".xterm-helper-textarea")

    def press(self, key: str) -> int:
        """Press ``key`` in the terminal; the number of frames before it (for :meth:`text`)."""
        mark = len(self.frames)
        self.focus()
        self.page.keyboard.press(key)
        return mark

    def type(self, text: str) -> None:
        self.focus()
        self.page.keyboard.type(text, delay=30)

    def screenshot(self, path: Path | None = None) -> np.ndarray:
        """The page as pixels (height × width × RGB), saved as PNG at ``path`` if given."""
        from PIL import Image

        png = self.page.screenshot()
        if path is not None:
            path.write_bytes(png)
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

    def settled_screenshot(self, path: Path | None = None) -> np.ndarray:
        """A screenshot once the page stopped changing (two in a row alike)."""
        last = self.screenshot()
        for _ in range(50):
            self.page.wait_for_timeout(300)
            shot = self.screenshot()
            if np.array_equal(shot, last):
                break
            last = shot
        if path is not None:
            self.screenshot(path)
        return last

    def size(self) -> tuple[int, int]:
        """The terminal's columns and rows, as the page asked the server for them."""
        match = re.search(r"width=(\d+)&height=(\d+)", self.socket_url)
        assert match, self.socket_url
        return int(match.group(1)), int(match.group(2))


@pytest.fixture
def open_tab(browser) -> Iterator[Callable[[Server], Tab]]:
    """``open_tab(server)``: a new 1,400×900 tab on the server's page, once the terminal shows
    the app's first screen (``body.-first-byte``, then the dashboard's "Ready")."""
    contexts = []

    def open_(server: Server) -> Tab:
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page)

        def on_socket(socket) -> None:
            tab.socket_url = socket.url
            socket.on("framereceived", lambda payload: tab.frames.append(
                payload if isinstance(payload, str) else payload.decode("utf-8", "replace")))

        page.on("websocket", on_socket)
        # Chromium starts the download from the page itself; other browsers from the new tab.
        page.on("download", lambda download: tab.downloads.append(download))
        context.on("page", lambda popup: popup.on(
            "download", lambda download: tab.downloads.append(download)))
        page.goto(server.url)
        page.wait_for_selector("body.-first-byte", timeout=TIMEOUT * 1000)
        tab.wait_for_text("Ready")
        return tab

    yield open_
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()


def changed(before: np.ndarray, after: np.ndarray, box: tuple[float, float, float, float]
            ) -> float:
    """The fraction of pixels that differ between two screenshots inside ``box`` (left, top,
    right, bottom as fractions of the page)."""
    height, width, _ = before.shape
    left, top, right, bottom = box
    rows = slice(int(top * height), int(bottom * height))
    cols = slice(int(left * width), int(right * width))
    return float(np.any(before[rows, cols] != after[rows, cols], axis=2).mean())


@pytest.fixture
def changed_fraction() -> Callable[..., float]:
    return changed
