"""``nntui serve`` in a real headless Chromium: the page draws the app at its 120-column layout,
F5 and the palette train, the plots and the decision boundary change while it trains, two tabs
train at once into one history, closing a tab ends its app, and Ctrl+C on the server leaves no
process behind."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil

COST_PLOT = (0.22, 0.06, 0.61, 0.47)
"""Where the cost plot is on a 1,400×900 page (left, top, right, bottom, as fractions)."""
BOUNDARY = (0.28, 0.54, 0.54, 0.93)
"""Where the decision boundary is drawn."""


def test_f5_trains_xor_to_the_end_and_the_page_draws_it_live(serve, open_tab, changed_fraction,
                                                             tmp_path: Path) -> None:
    server = serve("--preset", "xor", "--epochs", "80", "--pace", "10")
    tab = open_tab(server)
    columns, rows = tab.size()
    assert columns >= 120 and rows >= 40  # the comfortable layout, not the 80-column one
    before = tab.settled_screenshot(tmp_path / "ready.png")

    mark = tab.press("F5")
    tab.wait_until(lambda: any(r.status == "running" and r.epochs_done >= 10
                               for r in server.runs()), "10 epochs of the run")
    during = tab.screenshot(tmp_path / "training.png")
    tab.wait_until(lambda: [r.status for r in server.runs()] == ["completed"], "the run's end")
    tab.wait_for_text("completed", since=mark)
    after = tab.settled_screenshot(tmp_path / "done.png")

    (run,) = server.runs()
    assert run.epochs_done == 80 and server.epochs(run.id) == 80
    assert run.config_data["dataset"] == "xor"
    # The cost curve appears while it trains and goes on growing; the boundary changes too.
    assert changed_fraction(before, during, COST_PLOT) > 0.01
    assert changed_fraction(during, after, COST_PLOT) > 0.005
    assert changed_fraction(before, during, BOUNDARY) > 0.01
    assert changed_fraction(during, after, BOUNDARY) > 0.005
    assert changed_fraction(before, after, (0.9, 0.0, 1.0, 0.05)) < 0.5  # the same page


def test_the_palette_reaches_the_keys_a_browser_keeps(serve, open_tab) -> None:
    """Ctrl+T (batch ×2) never reaches a page, and F5 may reload one: both through the palette."""
    server = serve("--preset", "xor", "--epochs", "5")
    tab = open_tab(server)
    assert "batch 10" in tab.text()
    mark = tab.press("Control+p")
    tab.wait_for_text("Search", since=mark)
    tab.type("batch times")
    tab.page.wait_for_timeout(300)
    mark = tab.press("Enter")
    tab.wait_for_text("batch 20", since=mark)

    mark = tab.press("Control+p")
    tab.wait_for_text("Search", since=mark)
    tab.type("start")
    tab.page.wait_for_timeout(300)
    tab.press("Enter")
    tab.wait_until(lambda: [r.status for r in server.runs()] == ["completed"], "the run's end")
    (run,) = server.runs()
    assert run.config_data["batch_size"] == 20 and server.epochs(run.id) == 5


def test_two_tabs_train_at_once_into_one_history(serve, open_tab) -> None:
    server = serve("--preset", "xor", "--epochs", "40", "--pace", "20")
    first, second = open_tab(server), open_tab(server)
    assert len(server.apps()) == 2  # one app per tab
    first.press("F5")
    second.press("F5")
    first.wait_until(lambda: len(server.runs()) == 2
                     and all(r.status == "running" for r in server.runs()), "two runs at once")
    first.wait_until(lambda: [r.status for r in server.runs()] == ["completed", "completed"],
                     "both runs' ends")
    runs = server.runs()
    assert [r.epochs_done for r in runs] == [40, 40]
    assert [server.epochs(r.id) for r in runs] == [40, 40]  # every epoch of both, kept


def test_closing_a_tab_ends_its_app_and_ctrl_c_leaves_no_process(serve, open_tab) -> None:
    server = serve("--preset", "xor", "--epochs", "10000", "--pace", "5")
    first, second = open_tab(server), open_tab(server)
    apps = server.apps()
    assert len(apps) == 2
    first.press("F5")
    first.wait_until(lambda: any(r.epochs_done >= 2 for r in server.runs()), "2 epochs")
    first.page.close()
    second.wait_until(lambda: len(server.apps()) == 1, "the closed tab's app to end")
    assert [r.status for r in server.runs()] == ["stopped"]

    second.press("F5")
    second.wait_until(lambda: len(server.runs()) == 2 and server.runs()[0].epochs_done >= 2,
                      "the other tab's run")
    os.killpg(server.process.pid, signal.SIGINT)  # Ctrl+C in the server's terminal
    assert server.process.wait(timeout=60) == 130
    assert [r.status for r in server.runs()] == ["stopped", "stopped"]
    gone, alive = psutil.wait_procs(apps, timeout=5)
    assert alive == [] and len(gone) == 2


def test_help_in_a_browser_says_which_keys_to_use_there(serve, open_tab) -> None:
    tab = open_tab(serve("--preset", "xor"))
    mark = tab.press("F1")
    tab.wait_for_text("In a web browser", since=mark)
    text = tab.text(mark)
    for words in ("keeps some keys", "Batch×2", "opens a new tab", "Neurons", "close the tab"):
        assert words in text


def test_saved_files_are_written_and_offered_as_downloads(serve, open_tab,
                                                          tmp_path: Path) -> None:
    """Ctrl+S's network and the palette's screenshot: each where it is written in a terminal,
    and the same bytes downloaded by the browser."""
    server = serve("--preset", "xor", "--epochs", "3")
    tab = open_tab(server)
    tab.press("F5")
    tab.wait_until(lambda: [r.status for r in server.runs()] == ["completed"], "the run's end")
    tab.press("Control+s")
    tab.wait_until(lambda: len(tab.downloads) == 1, "the network's download")
    (saved,) = (tmp_path / "networks").glob("*.npz")
    assert tab.downloads[0].suggested_filename == saved.name
    assert Path(tab.downloads[0].path()).read_bytes() == saved.read_bytes()

    mark = tab.press("Control+p")
    tab.wait_for_text("Search", since=mark)
    tab.type("screenshot")
    tab.page.wait_for_timeout(300)
    tab.press("Enter")
    tab.wait_until(lambda: len(tab.downloads) == 2, "the screenshot's download")
    (svg,) = (tmp_path / "data" / "nntui" / "screenshots").glob("*.svg")
    assert tab.downloads[1].suggested_filename == svg.name
    assert Path(tab.downloads[1].path()).read_bytes() == svg.read_bytes()
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<svg")
