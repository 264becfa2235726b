"""Make the SVG screenshots in ``screenshots/`` (shown in the README) by driving the app headless.

    python -m scripts.make_screenshots [--out screenshots] [NAME ...]   # from the repository's root

The screens are the ones the snapshot tests check: the first screen at 80×24 and 120×40, a field
error, a finished short run, the books' overfitting and speed-of-learning runs at 80×24 and
120×40, the help screen, the too-small notice, a digit drawn on the draw screen and a sweep's
results against η; and, for the README only (they take minutes), the books' η comparison, the
weight-init comparison's saturated neurons and the more-data comparison against the training-set
size.  Clocks and speeds are hidden and the runs are seeded, so the pictures change only when the
app does.  Names given make only those screenshots.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from nntui.config import DEFAULTS, Config
from nntui.tui.app import NNTuiApp
from tests.tui.scenes import (
    DIGIT_NETWORK,
    FINISHED_RUN,
    OVERFIT,
    SPEED,
    draw_digit,
    finish_run,
    more_data_against_size,
    open_help,
    run_comparison,
    settle,
    sweep_against,
    type_invalid_eta,
    weight_init_comparison_saturation,
)

MNIST_RUN = DEFAULTS.replace(epochs=3)


Shot = tuple[str, Config, tuple[int, int], Callable[..., Awaitable[None]]]
SHOTS: list[Shot] = [
    ("first-screen-80x24", DEFAULTS, (80, 24), settle),
    ("first-screen-120x40", DEFAULTS, (120, 40), settle),
    ("field-error", DEFAULTS, (120, 40), type_invalid_eta),
    ("finished-xor-run", FINISHED_RUN, (120, 40), finish_run),
    ("mnist-3-epochs", MNIST_RUN, (120, 40), finish_run),
    ("overfitting-80x24", OVERFIT, (80, 24), finish_run),
    ("overfitting-120x40", OVERFIT, (120, 40), finish_run),
    ("speed-of-learning-80x24", SPEED, (80, 24), finish_run),
    ("speed-of-learning-120x40", SPEED, (120, 40), finish_run),
    ("learning-rates-comparison", DEFAULTS, (120, 40), run_comparison("learning-rates")),
    ("saturated-neuron-comparison", DEFAULTS, (120, 40), run_comparison("saturated-neuron")),
    ("help", DEFAULTS, (120, 40), open_help),
    ("too-small", DEFAULTS, (60, 18), settle),
    ("draw-digit-120x40", DIGIT_NETWORK, (120, 40), draw_digit),
    ("draw-digit-80x24", DIGIT_NETWORK, (80, 24), draw_digit),
    ("weight-init-saturation", DEFAULTS, (120, 40), weight_init_comparison_saturation),
    ("results-against-eta", FINISHED_RUN.replace(epochs=30), (120, 40), sweep_against),
    ("more-data", DEFAULTS, (120, 40), more_data_against_size),
]


async def shoot(out: Path, name: str, config: Config, size: tuple[int, int],
                before: Callable[..., Awaitable[None]], runs: Path) -> Path:
    app = NNTuiApp(config, runs_dir=runs, runs_db=runs / f"{name}.db", show_timing=False)
    async with app.run_test(size=size) as pilot:
        await before(pilot)
        svg = app.export_screenshot(title=f"nntui — {name}")
    path = out / f"{name}.svg"
    path.write_text(svg, encoding="utf-8")
    return path


async def main(out: Path, only: list[str]) -> None:
    unknown = set(only) - {name for name, *_ in SHOTS}
    if unknown:
        raise SystemExit(f"no screenshot named {', '.join(sorted(unknown))}; the names are "
                         f"{', '.join(name for name, *_ in SHOTS)}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as runs:
        for name, config, size, before in SHOTS:
            if only and name not in only:
                continue
            path = await shoot(out, name, config, size, before, Path(runs))
            print(path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent.parent / "screenshots")
    parser.add_argument("only", nargs="*", metavar="NAME",
                        help="make only these screenshots (default: every one)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.out, arguments.only))
