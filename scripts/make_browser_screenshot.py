"""Make ``screenshots/browser-xor.png``: ``nntui serve --preset xor`` in the system's Chromium at
1,400×900, after F5 trained the preset to the end.

    PYTHONPATH=. python -m scripts.make_browser_screenshot [--chromium /usr/bin/chromium]

The run goes to a throwaway history; the picture is taken once the page stopped changing.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "screenshots" / "browser-xor.png"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="browser-screenshot-"))
    env = dict(os.environ, PYTHONUNBUFFERED="1", NNTUI_RUNS_DIR=str(folder))
    server = subprocess.Popen(
        [sys.executable, "-m", "nntui", "serve", "--port", "0", "--runs-db",
         str(folder / "runs.db"), "--preset", "xor"], stdout=subprocess.PIPE, text=True,
        env=env, start_new_session=True)
    try:
        assert server.stdout is not None
        match = re.search(r"(http://\S+:\d+)", server.stdout.readline())
        if match is None:
            raise SystemExit("make_browser_screenshot: nntui serve did not start")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(match.group(1))
            page.wait_for_selector("body.-first-byte", timeout=120_000)
            page.wait_for_timeout(1500)
            page.focus(".xterm-helper-textarea")
            page.keyboard.press("F5")
            deadline = time.monotonic() + 120
            last = b""
            while time.monotonic() < deadline:  # until the page stops changing
                page.wait_for_timeout(1000)
                shot = page.screenshot()
                if shot == last:
                    break
                last = shot
            OUTPUT.write_bytes(last)
            browser.close()
        print(f"wrote {OUTPUT}")
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
