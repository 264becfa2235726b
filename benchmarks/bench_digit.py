"""How fast the draw screen answers a stroke, on a 100-neuron network ([784, 100, 10]).

Two figures, each the median and the 95th percentile over many strokes:

* the path alone: the canvas painted by one pen move, the drawing prepared as MNIST's digits were
  (:func:`nntui.insight.digit.prepare`), the network's answer, the prepared input and the canvas
  turned into half-block lines and the bars into text: what the screen computes per mouse event;
* in the app, headless: a mouse-move event posted to the canvas (the pen down) until the screen
  has taken the new answer and Textual's compositor has next drawn the screen (the end of
  ``Screen._compositor_refresh``, the call that writes the changed lines to the terminal): from a
  mouse event to the bars' update, as a person sees it.  (``pilot.pause()`` is not the measure:
  it waits for the app to be idle, some 25 ms on its own here.)

The screen must answer a stroke in under 50 ms.

    python benchmarks/bench_digit.py            # 300 strokes each
    python benchmarks/bench_digit.py --strokes 50
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import numpy as np
from textual import events
from textual.app import App

from nntui.engine import Network
from nntui.insight.digit import FIELD, Canvas, answer, prepare
from nntui.render.digit import answer_bars
from nntui.render.halfblock import grey_rgb, render_lines
from nntui.tui.screens.draw import DrawScreen

SIZES = [FIELD * FIELD, 100, 10]
BUDGET_MS = 50.0
NAMES = tuple(str(k) for k in range(10))


def stroke_points(count: int, seed: int = 1) -> list[tuple[float, float]]:
    """A wandering pen path inside the canvas (pixels)."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, 1.2, (count, 2))
    path = np.clip(FIELD / 2 + np.cumsum(steps, axis=0), 3, FIELD - 3)
    return [(float(y), float(x)) for y, x in path]


def path_alone(network: Network, points: list[tuple[float, float]]) -> list[float]:
    canvas = Canvas()
    canvas.begin(*points[0])
    times = []
    for point in points[1:]:
        start = time.perf_counter()
        canvas.line_to(*point)
        prepared = prepare(canvas.pixels)
        said = answer(network, prepared)
        render_lines(grey_rgb(canvas.pixels))
        render_lines(grey_rgb(prepared))
        answer_bars(said, NAMES, 50)
        times.append(time.perf_counter() - start)
    return times


class DrawApp(App):
    def __init__(self, screen: DrawScreen) -> None:
        super().__init__()
        self.draw = screen

    def on_mount(self) -> None:
        self.push_screen(self.draw)


async def in_the_app(network: Network, points: list[tuple[float, float]]) -> list[float]:
    screen = DrawScreen(network)
    times = []
    async with DrawApp(screen).run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        canvas = screen.canvas
        drawn: list[float] = []
        refresh = screen._compositor_refresh

        def timed_refresh() -> None:  # the screen's repaint, its end noted
            refresh()
            drawn.append(time.perf_counter())

        screen._compositor_refresh = timed_refresh

        def mouse(kind, y: float, x: float, button: int = 1):
            return kind(canvas, x, y / 2, 0, 0, button, False, False, False)

        canvas.post_message(mouse(events.MouseDown, *points[0]))
        await pilot.pause()
        for y, x in points[1:]:
            before = screen.answered
            start = time.perf_counter()
            canvas.post_message(mouse(events.MouseMove, y, x))
            while screen.answered == before:
                await asyncio.sleep(0)
            answered = time.perf_counter()
            while not drawn or drawn[-1] < answered:  # and Textual has drawn it
                await asyncio.sleep(0.001)
            times.append(drawn[-1] - start)
            await pilot.pause()
        canvas.post_message(mouse(events.MouseUp, *points[-1]))
        await pilot.pause()
    return times


def report(name: str, times: list[float]) -> None:
    ms = sorted(1000 * t for t in times)
    median = statistics.median(ms)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    verdict = "under" if p95 < BUDGET_MS else "OVER"
    print(f"{name:<44} median {median:6.2f} ms   95th percentile {p95:6.2f} ms   "
          f"({verdict} the {BUDGET_MS:.0f} ms budget, {len(ms)} strokes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=300)
    args = parser.parse_args()
    network = Network(SIZES, output="softmax", cost="log-likelihood")
    points = stroke_points(args.strokes + 1)
    print(f"network {SIZES}, one pen move per stroke")
    report("prepare + answer + draw (the path alone)", path_alone(network, points))
    report("mouse event → bars updated and drawn (app)", asyncio.run(in_the_app(network, points)))


if __name__ == "__main__":
    main()
