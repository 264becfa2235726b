"""Pilot and snapshot tests of the look-inside screens and the decision-boundary panel, each on a
tiny app that shows only it: a network trained for 3 epochs on 1,000 MNIST images (its mistakes,
confusion matrix and neurons, on the first 1,000 validation images) and XOR after 20 epochs (its
decision boundary).  Seeds are fixed, so the pictures are the same on every run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen

from nntui.datasets import Dataset
from nntui.engine import Network
from nntui.insight.inspection import (
    Predictions,
    confusion_of,
    decision_field,
    mistakes,
    predict,
    weight_images,
)
from nntui.presets import PRESETS
from nntui.runner.experiment import build_trainer, load_data
from nntui.tui.screens.confusion import ConfusionScreen, ConfusionTable
from nntui.tui.screens.mistakes import MistakesScreen
from nntui.tui.screens.neurons import NeuronsScreen
from nntui.tui.widgets.boundary import BoundaryPanel, resample
from nntui.tui.widgets.halfblock import ImageCard
from nntui.tui.widgets.weights import WeightGrid

MNIST = PRESETS["nielsen-baseline"].config().replace(train_size=1000, epochs=3)
XOR = PRESETS["xor"].config().replace(pace=0, epochs=20)
SHOWN = 1000
"""The validation images the screens look at."""


@pytest.fixture(scope="module")
def mnist() -> tuple[Network, Predictions, np.ndarray]:
    data = load_data(MNIST)
    trainer = build_trainer(MNIST, data)
    trainer.run()
    images = data.validation.x[:SHOWN]
    return trainer.network, predict(trainer.network, images, data.validation.labels[:SHOWN]), \
        images


@pytest.fixture(scope="module")
def xor() -> tuple[Network, Dataset]:
    data = load_data(XOR)
    trainer = build_trainer(XOR, data)
    trainer.run()
    return trainer.network, data


class ScreenApp(App[None]):
    """Nothing but one screen, pushed over an empty one."""

    def __init__(self, make: Callable[[], Screen]) -> None:
        super().__init__()
        self.make = make
        self.closed = False

    def on_mount(self) -> None:
        self.push_screen(self.make(), lambda _: setattr(self, "closed", True))


class PanelApp(App[None]):
    """The boundary panel alone, filled with XOR's points and field once mounted."""

    def __init__(self, network: Network, data: Dataset) -> None:
        super().__init__()
        self.network, self.data = network, data
        self.views: list[BoundaryPanel.ViewChanged] = []

    def compose(self) -> ComposeResult:
        yield BoundaryPanel()

    def on_mount(self) -> None:
        panel = self.query_one(BoundaryPanel)
        panel.set_points(self.data.train.x, self.data.train.labels, self.data.test.x,
                         self.data.test.labels)
        panel.focus()

    def compute_field(self) -> None:
        """What the training worker does at each report: one forward pass over the grid."""
        panel = self.query_one(BoundaryPanel)
        panel.show_field(decision_field(self.network, *panel.grid_size, extent=panel.extent))

    def on_boundary_panel_view_changed(self, message: BoundaryPanel.ViewChanged) -> None:
        self.views.append(message)


def notes(app: App) -> list[str]:
    return [notification.message for notification in app._notifications]


# --- the mistakes screen -------------------------------------------------------------------------

async def test_mistakes_are_browsed_most_confident_first(mnist):
    _, answers, images = mnist
    app = ScreenApp(lambda: MistakesScreen(answers, images))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MistakesScreen)
        order = mistakes(answers)
        assert screen.shown.tolist() == order.tolist()
        assert (screen.columns, screen.rows) == (3, 2)
        cards = list(screen.query(ImageCard))
        assert len(cards) == 6 and cards[0].selected and not cards[1].selected
        first = int(order[0])
        caption = str(cards[0].caption.render())
        assert f"true {answers.labels[first]}" in caption
        assert f"said {answers.predicted[first]}" in caption
        assert f"{100 * answers.confidence[first]:.0f}%" in caption
        assert np.diff(answers.confidence[order]).max() <= 0  # most confident first
        await pilot.press("right", "right")
        assert screen.index == 2 and screen.selected() == int(order[2]) and cards[2].selected
        await pilot.press("down")
        assert screen.index == 5
        await pilot.press("right")  # past the page: the next page, its first card selected
        await pilot.pause()
        assert screen.index == 6 and cards[0].selected
        assert str(cards[0].caption.render()).startswith(f"true {answers.labels[order[6]]}")
        await pilot.press("pageup", "home")
        assert screen.index == 0
        await pilot.press("end")
        assert screen.index == len(order) - 1
        await pilot.press("escape")
        await pilot.pause()
        assert app.closed


async def test_mistakes_filter_by_true_and_predicted_class(mnist):
    _, answers, images = mnist
    app = ScreenApp(lambda: MistakesScreen(answers, images))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("t")  # true class 0
        assert screen.true_class == 0
        assert screen.shown.tolist() == mistakes(answers, true_class=0).tolist()
        await pilot.press("t", "t")  # true class 2
        assert screen.true_class == 2 and all(answers.labels[screen.shown] == 2)
        await pilot.press("p")  # and taken for a 0
        assert screen.predicted_class == 0
        assert screen.shown.tolist() == mistakes(answers, 2, 0).tolist()
        await pilot.press("shift+t")  # back to true class 1
        assert screen.true_class == 1
        await pilot.press("c")
        assert (screen.true_class, screen.predicted_class) == (None, None)
        assert len(screen.shown) == int((~answers.correct).sum())
        detail = str(screen.query_one("#mistakes-detail").render())
        assert "true any" in detail and "said any" in detail and "outputs" in detail


async def test_a_pair_with_no_mistakes_says_so(mnist):
    _, answers, images = mnist
    counts = confusion_of(answers).counts
    true, said = next((i, j) for i in range(10) for j in range(10) if i != j and not counts[i, j])
    app = ScreenApp(lambda: MistakesScreen(answers, images, true_class=true,
                                           predicted_class=said))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        empty = app.screen.query_one("#mistakes-empty")
        assert empty.display and f"No {true} was taken for a {said}." in str(empty.render())
        assert not app.screen.query_one("#mistakes-grid").display


def test_the_mistakes_screen_needs_images(mnist):
    _, answers, images = mnist
    assert MistakesScreen.available(784) and not MistakesScreen.available(2)
    with pytest.raises(ValueError, match="not the pixels of an image"):
        MistakesScreen(answers, np.zeros((len(answers), 2)))
    with pytest.raises(ValueError, match="one image per prediction"):
        MistakesScreen(answers, images[:10])


# --- the confusion matrix ------------------------------------------------------------------------

async def test_confusion_table_holds_the_counts_and_opens_a_cells_mistakes(mnist):
    _, answers, images = mnist
    matrix = confusion_of(answers)
    app = ScreenApp(lambda: ConfusionScreen(answers, images))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ConfusionTable)
        for i in range(10):
            row = [table.get_cell(str(i), str(j)).plain.strip() for j in range(10)]
            assert row == [str(matrix.counts[i, j]) if matrix.counts[i, j] or i == j else "·"
                           for j in range(10)]
            accuracy = table.get_cell(str(i), "accuracy").plain.strip()
            assert accuracy == f"{100 * matrix.per_class_accuracy[i]:.1f}%"
        precision = [table.get_cell("precision", str(j)).plain.strip() for j in range(10)]
        assert precision == [f"{100 * p:.0f}%" for p in matrix.precision]
        true, said, count = matrix.most_frequent_confusion()
        summary = str(app.screen.query_one("#confusion-summary").render())
        assert f"{true} taken for {said}, {count} times" in summary
        # The diagonal is correct answers: a note, no screen.
        table.move_cursor(row=3, column=1 + 3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfusionScreen)
        assert any("diagonal holds the correct answers" in note for note in notes(app))
        # The most frequent confusion opens its mistakes.
        table.move_cursor(row=true, column=1 + said)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MistakesScreen)
        assert (screen.true_class, screen.predicted_class) == (true, said)
        assert len(screen.shown) == count
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfusionScreen)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MistakesScreen) and app.screen.true_class is None


async def test_confusion_of_points_has_no_pictures_behind_it(xor):
    network, data = xor
    answers = predict(network, data.test.x, data.test.labels)
    app = ScreenApp(lambda: ConfusionScreen(answers, data.test.x, split="test"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "test set" in str(app.screen.query_one("#confusion-title").render())
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, ConfusionScreen)
        assert any("not images" in note for note in notes(app))


# --- the neurons ---------------------------------------------------------------------------------

async def test_neurons_grid_moves_and_rescales(mnist):
    network, _, _ = mnist
    images = weight_images(network)
    app = ScreenApp(lambda: NeuronsScreen.for_network(network, title="3 epochs"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        grid = screen.query_one(WeightGrid)
        assert grid.columns == 4 and grid.has_focus
        assert grid.caption(4) == f"neuron 5  ±{np.abs(images[4]).max():.2g}"
        assert 0 < len(grid._rendered) < 30  # only the neurons in view were drawn
        await pilot.press("right", "down")
        assert grid.selected == 5
        line = grid.render_line(2 * 15 - 1).text  # the second row's captions
        assert "▶ neuron 6" in line and "neuron 5 " in line
        before = grid._lines_of(4)
        await pilot.press("s")
        assert grid.shared_scale and "one scale for all" in str(
            screen.query_one("#neurons-legend").render())
        assert grid._lines_of(4) != before
        await pilot.press("end")
        await pilot.pause()
        assert grid.selected == 29 and grid.scroll_offset.y > 0
        assert 29 in grid._rendered
        screen.update_weights(-images)
        assert grid._rendered == {}
        with pytest.raises(ValueError, match="do not match"):
            screen.update_weights(np.zeros((2, 28, 28)))


def test_neurons_need_image_inputs(xor):
    network, _ = xor
    with pytest.raises(ValueError, match="not the pixels of an image"):
        NeuronsScreen.for_network(network)


# --- the decision-boundary panel ---------------------------------------------------------------

async def test_boundary_panel_cycles_output_and_neurons(xor):
    network, data = xor
    app = PanelApp(network, data)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.query_one(BoundaryPanel)
        rows, cols = panel.grid_size
        assert rows == cols == 2 * (24 - 4)  # the border, the title and the scale take 4 lines
        app.compute_field()
        await pilot.pause()
        assert panel.field is not None and panel.field.shape == (rows, cols)
        title = str(panel.query_one("#boundary-title").render())
        assert title.startswith("output of the network")
        assert "½ the boundary" in str(panel.query_one("#boundary-scale").render())
        await pilot.press("n", "n", "n")
        await pilot.pause()
        assert panel.view == 3
        assert str(panel.query_one("#boundary-title").render()).startswith(
            "neuron 3 of layer 1 (tanh)")
        assert "-1 to 1" in str(panel.query_one("#boundary-scale").render())
        assert [m.view for m in app.views] == [1, 2, 3]
        assert app.views[-1].title == "neuron 3 of layer 1 (tanh)"
        await pilot.press(*["n"] * 6)  # neurons 4 to 8, then the output again
        assert panel.view == 0
        await pilot.press("shift+n")
        assert panel.view == 8
        await pilot.press("o")
        assert panel.view == 0


async def test_boundary_panel_draws_points_on_the_field(xor):
    network, data = xor
    app = PanelApp(network, data)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        panel = app.query_one(BoundaryPanel)
        app.compute_field()
        await pilot.pause()
        plain = panel.image._lines
        await pilot.press("t")
        assert panel.show_test and "test" in str(panel.query_one("#boundary-title").render())
        assert panel.image._lines != plain
        await pilot.press("t")
        assert not panel.show_test
        # A field of another size (the panel was resized meanwhile) is resampled to fit.
        panel.show_field(decision_field(network, 10, 10, extent=panel.extent))
        assert panel.image.image_size.width == panel.grid_size[1]


def test_resample_takes_the_nearest_grid_point():
    values = np.arange(4.0).reshape(2, 2)
    assert resample(values, 4, 2).tolist() == [[0, 1], [0, 1], [2, 3], [2, 3]]
    assert resample(values, 2, 2) is values


def test_points_must_be_two_dimensional():
    panel = BoundaryPanel()
    with pytest.raises(ValueError, match=r"shaped \(n, 2\)"):
        panel.set_points(np.zeros((3, 3)), np.zeros(3))


# --- pictures ------------------------------------------------------------------------------------

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


async def _browse(pilot) -> None:
    await pilot.pause()
    await pilot.press("right")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_mistakes_screen(snap_compare, mnist, size):
    _, answers, images = mnist
    assert snap_compare(ScreenApp(lambda: MistakesScreen(answers, images)),
                        terminal_size=SIZES[size], run_before=_browse)


@pytest.mark.parametrize("size", SIZES)
def test_confusion_screen(snap_compare, mnist, size):
    _, answers, images = mnist
    assert snap_compare(ScreenApp(lambda: ConfusionScreen(answers, images)),
                        terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_neurons_screen(snap_compare, mnist, size):
    network, _, _ = mnist
    assert snap_compare(ScreenApp(lambda: NeuronsScreen.for_network(network, title="3 epochs")),
                        terminal_size=SIZES[size], run_before=_browse)


@pytest.mark.parametrize("size", SIZES)
def test_xor_boundary(snap_compare, xor, size):
    network, data = xor

    async def fill(pilot) -> None:
        await pilot.pause()
        pilot.app.compute_field()
        await pilot.pause()

    assert snap_compare(PanelApp(network, data), terminal_size=SIZES[size], run_before=fill)


def test_xor_neuron_view(snap_compare, xor):
    network, data = xor

    async def neuron_3(pilot) -> None:
        await pilot.pause()
        pilot.app.compute_field()
        await pilot.press("n", "n", "n", "t")
        await pilot.pause()

    assert snap_compare(PanelApp(network, data), terminal_size=(80, 24), run_before=neuron_3)


def test_snapshots_are_kept_beside_the_others():
    assert (Path(__file__).parent / "__snapshots__").is_dir()
