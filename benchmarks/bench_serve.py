"""How quick is the app in a browser tab (``nntui serve``), and how many tabs training at once does
this machine hold?

    PYTHONPATH=. python benchmarks/bench_serve.py [--max-tabs 4] [--presses 20] [--opens 3]
        [--chromium /usr/bin/chromium] [app flags for every tab, default: --epochs 1000]

It starts ``nntui serve`` on a free port of 127.0.0.1 with a throwaway run history, drives the
system's Chromium with Playwright in 1,400×900 tabs, and measures in the page itself (the page's
own clock, ``performance.now()``):

1. time to first screen: from asking for the page to the first bytes of the app drawn in it
   (``body.-first-byte``), and to the dashboard's "Ready" (the whole first screen), for
   ``--opens`` fresh tabs one after another;
2. key latency while training: with N tabs each training (F5; by default Nielsen's MNIST network
   at full speed, one BLAS thread each), the first tab gets F9 and F10 in turn (η ÷ 10 and
   η × 10, live during its run), and each press is timed from the key's ``keydown`` in the page
   to the first frame from the app that shows its effect (the status line's new η).  The frame
   is then drawn by xterm.js at the next animation frame (≤ 16 ms more).  N = 1, 2, ...
   ``--max-tabs``.

The browser runs on the same machine, and its own work counts against the same cores: so the
same keys are also timed from a websocket client of our own in the first tab's place (its run
training beside the others'): the app and the server without the browser.  The last
line printed is JSON with every figure and ``tabs_within_100ms``: the most tabs training at once
with the p95 key latency still at most 100 ms.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ESCAPES = re.compile(r"\x1b\[[0-9;?<>=!]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
                     r"|\x1b[()][0-9A-Za-z]|\x1b[=>78]")

# Records, with the page's clock, every frame the app sends and every key pressed.
PAGE_HOOKS = """
window.__frames = [];
window.__keys = [];
const Native = window.WebSocket;
window.WebSocket = function (url, protocols) {
  const socket = new Native(url, protocols);
  socket.addEventListener("message", (event) => {
    const text = typeof event.data === "string" ? event.data
      : new TextDecoder().decode(new Uint8Array(event.data));
    window.__frames.push([performance.now(), text, typeof event.data !== "string"]);
  });
  return socket;
};
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
window.WebSocket.prototype = Native.prototype;
document.addEventListener("keydown", (event) => {
  window.__keys.push([performance.now(), event.key]);
}, true);
"""


def text_of(frames: list[list]) -> str:
    return ESCAPES.sub("", "".join(frame[1] for frame in frames))


def wait(page, condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench_serve: timed out waiting for {what}: "
                             f"{text_of(page.evaluate('window.__frames'))[-3000:]!r}")
        page.wait_for_timeout(50)


def open_tab(context, url: str) -> tuple[object, float, float]:
    """A new tab on ``url``: the page, and its ms to the first bytes and to "Ready"."""
    page = context.new_page()
    page.add_init_script(PAGE_HOOKS)
    page.goto(url)
    page.wait_for_selector("body.-first-byte", timeout=120_000)
    wait(page, lambda: "Ready" in text_of(page.evaluate("window.__frames")), "Ready")
    # The page's clock starts when the page is asked for.
    first_byte = page.evaluate("window.__frames.find(f => f[2] && f[1].length > 10)[0]")
    ready = page.evaluate("window.__frames.find(f => f[1].includes('Ready'))[0]")
    return page, first_byte, ready


KEYS = (("F9", "\x1b[20~"), ("F10", "\x1b[21~"))
"""η ÷ 10 and η × 10 (live during a run), as Playwright names them and as xterm.js sends them."""

ETA = re.compile(r"η (\d[\d.e+-]*)  ")
"""η as the training status line shows it (two spaces after it: a value drawn whole)."""


def changed_eta(frames: list[list], old: str) -> int | None:
    """Index of the first frame that shows η other than ``old``, or None."""
    return next((i for i, frame in enumerate(frames)
                 if any(value != old for value in ETA.findall(text_of([frame])))), None)


def key_latencies(page, presses: int) -> list[float]:
    """F9 and F10 in turn while the page's run trains; ms from each keydown to the first frame
    from the app that shows the new η."""
    latencies = []
    page.focus(".xterm-helper-textarea")
    for index in range(presses):
        key = KEYS[index % 2][0]
        wait(page, lambda: ETA.search(text_of(page.evaluate("window.__frames"))), "η shown")
        old = ETA.findall(text_of(page.evaluate("window.__frames")))[-1]
        start = page.evaluate("window.__frames.length")
        keys_before = page.evaluate("window.__keys.length")
        page.keyboard.press(key)

        def seen(start: int = start, old: str = old) -> int | None:
            return changed_eta(page.evaluate(f"window.__frames.slice({start})"), old)

        wait(page, lambda: seen() is not None, f"{key}'s effect")
        pressed = page.evaluate(f"window.__keys[{keys_before}][0]")
        latencies.append(page.evaluate(f"window.__frames[{start + seen()}][0]") - pressed)
        page.wait_for_timeout(300)
    return latencies


def socket_latencies(url: str, presses: int) -> list[float]:
    """The same keys from a websocket client of our own in place of a browser (what the page
    sends, read as it arrives), its own run training: ms from sending each key to the frame
    with the new η, the app and the server without the browser's own work."""
    import asyncio

    import aiohttp

    async def read_until(socket_, found) -> None:
        drawn: list[list] = []
        while True:
            message = await socket_.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                drawn.append([0, message.data.decode("utf-8", "replace")])
                if found(drawn):
                    return

    async def measure() -> list[float]:
        latencies = []
        async with aiohttp.ClientSession() as session, session.ws_connect(
                url.replace("http", "ws", 1) + "/ws?width=155&height=50") as socket_:
            await read_until(socket_, lambda drawn: "Ready" in text_of(drawn))
            await socket_.send_json(["stdin", "\x1b[15~"])  # F5
            shown: list[str] = []

            def training(drawn: list[list]) -> bool:
                shown[:] = ETA.findall(text_of(drawn))
                return bool(shown)

            await read_until(socket_, training)
            old = shown[-1]
            for index in range(presses):
                sent = time.perf_counter()
                await socket_.send_json(["stdin", KEYS[index % 2][1]])
                await read_until(socket_, lambda drawn, old=old: changed_eta(drawn[-1:], old)
                                 is not None)
                latencies.append((time.perf_counter() - sent) * 1000)
                await asyncio.sleep(0.3)
                await read_until(socket_, training)
                old = shown[-1]
        return latencies

    # In a thread of its own: Playwright's sync API holds this thread's event loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, measure()).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-tabs", type=int, default=4)
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--opens", type=int, default=3)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args, app_flags = parser.parse_known_args()
    app_flags = app_flags or ["--epochs", "1000"]
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    env = dict(os.environ, PYTHONUNBUFFERED="1", NNTUI_RUNS_DIR=str(folder))
    server = subprocess.Popen(
        [sys.executable, "-m", "nntui", "serve", "--port", "0", "--runs-db",
         str(folder / "runs.db"), *app_flags], stdout=subprocess.PIPE, text=True, env=env,
        start_new_session=True)
    try:
        assert server.stdout is not None
        url = re.search(r"(http://\S+:\d+)", server.stdout.readline()).group(1)
        results: dict[str, object] = {"cores": os.cpu_count(), "app_flags": app_flags}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium)
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            firsts, readies = [], []
            for _ in range(args.opens):
                page, first_byte, ready = open_tab(context, url)
                firsts.append(first_byte)
                readies.append(ready)
                page.close()
            results["first_bytes_ms_median"] = round(statistics.median(firsts))
            results["first_screen_ms_median"] = round(statistics.median(readies))
            print(f"time to first screen: first bytes {statistics.median(firsts):.0f} ms, "
                  f"'Ready' {statistics.median(readies):.0f} ms (median of {args.opens})")
            by_tabs = {}
            for tabs in range(1, args.max_tabs + 1):
                pages = [open_tab(context, url)[0] for _ in range(tabs)]
                for page in pages:
                    page.focus(".xterm-helper-textarea")
                    marker = page.evaluate("window.__frames.length")
                    page.keyboard.press("F5")
                    wait(page, lambda page=page, marker=marker: "training" in text_of(
                        page.evaluate(f"window.__frames.slice({marker})")), "training")
                latencies = sorted(key_latencies(pages[0], args.presses))
                p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
                # The same keys without a browser: the first tab's place taken by a websocket
                # client of our own, its run training beside the others.
                pages[0].close()
                direct = sorted(socket_latencies(url, args.presses))
                direct_p95 = direct[max(0, round(0.95 * len(direct)) - 1)]
                by_tabs[tabs] = {"p50_ms": round(statistics.median(latencies), 1),
                                 "p95_ms": round(p95, 1), "max_ms": round(latencies[-1], 1),
                                 "no_browser_p50_ms": round(statistics.median(direct), 1),
                                 "no_browser_p95_ms": round(direct_p95, 1)}
                print(f"{tabs} tab(s) training: key latency in the page p50 "
                      f"{statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, "
                      f"max {latencies[-1]:.0f} ms; without a browser p50 "
                      f"{statistics.median(direct):.0f} ms, p95 {direct_p95:.0f} ms", flush=True)
                for page in pages[1:]:
                    page.close()
                time.sleep(3)  # the closed tabs' apps stop and record their runs
            results["key_latency_by_tabs"] = by_tabs
            within = [n for n, figures in by_tabs.items() if figures["p95_ms"] <= 100]
            results["tabs_within_100ms"] = max(within) if within else 0
            browser.close()
        print(json.dumps(results))
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
