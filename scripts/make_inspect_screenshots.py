"""Make the look-inside screenshots for the README: the spiral's decision boundary, the mistakes
screen and the confusion matrix of Nielsen's ch. 3 network.

    python -m scripts.make_inspect_screenshots [--out screenshots]    # from the repository's root

Each screen is shown alone in a tiny app (as in ``tests/tui/screens/test_inspect_screens.py``), at
120×40, on seeded runs: the ``spiral`` preset's 200 epochs, and ``nielsen-l2`` trained for 3
epochs on all 50,000 images (its validation set's mistakes and confusion matrix).  About 20 s.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult
from textual.screen import Screen

from nntui.insight.inspection import decision_field, predict
from nntui.presets import PRESETS
from nntui.runner.experiment import build_trainer, load_data
from nntui.tui.screens.confusion import ConfusionScreen
from nntui.tui.screens.mistakes import MistakesScreen
from nntui.tui.widgets.boundary import BoundaryPanel

SIZE = (120, 40)


class ScreenApp(App[None]):
    TITLE = "nntui"

    def __init__(self, make: Callable[[], Screen]) -> None:
        super().__init__()
        self.make = make

    def on_mount(self) -> None:
        self.push_screen(self.make())


class PanelApp(App[None]):
    TITLE = "nntui"

    def compose(self) -> ComposeResult:
        yield BoundaryPanel()


async def spiral(out: Path) -> Path:
    config = PRESETS["spiral"].config().replace(pace=0)
    data = load_data(config)
    trainer = build_trainer(config, data)
    trainer.run()
    app = PanelApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(BoundaryPanel)
        panel.set_points(data.train.x, data.train.labels, data.test.x, data.test.labels)
        await pilot.pause()
        panel.show_field(decision_field(trainer.network, *panel.grid_size, extent=panel.extent))
        await pilot.pause()
        return Path(app.save_screenshot("spiral-boundary.svg", path=str(out)))


async def mnist(out: Path) -> list[Path]:
    config = PRESETS["nielsen-l2"].config().replace(epochs=3)
    data = load_data(config)
    trainer = build_trainer(config, data)
    trainer.run()
    split = data.validation
    answers = predict(trainer.network, split.x, split.labels)
    saved = []
    for name, make in (("mistakes", lambda: MistakesScreen(answers, split.x)),
                       ("confusion-matrix", lambda: ConfusionScreen(answers, split.x))):
        app = ScreenApp(make)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            saved.append(Path(app.save_screenshot(f"{name}.svg", path=str(out))))
    return saved


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for path in [await spiral(out), *await mnist(out)]:
        print(path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    asyncio.run(main(parser.parse_args().out))
