"""Looking inside, from the dashboard: the decision boundary of a 2-D run, the confusion matrix
and the mistakes of an MNIST run, the neurons view, and the rules of thumb as hints."""

from __future__ import annotations

from pathlib import Path

from nntui.presets import PRESETS
from nntui.storage.networks import save_network
from nntui.tui.screens.confusion import ConfusionScreen
from nntui.tui.screens.mistakes import MistakesScreen
from nntui.tui.screens.neurons import NeuronsScreen
from nntui.tui.widgets.boundary import BoundaryPanel
from nntui.tui.widgets.plots import SpeedPlot

XOR = PRESETS["xor"].config().replace(epochs=6, pace=0)


MNIST = PRESETS["nielsen-l2"].config().replace(train_size=1000, epochs=1, hidden=(30,))


async def test_a_2d_run_draws_its_decision_boundary_in_the_speed_plots_place(press, wait_for,
                                                                             open_app):
    async with open_app(XOR) as (app, pilot, run):
        panel = app.query_one(BoundaryPanel)
        assert panel.display and not app.query_one(SpeedPlot).display
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "completed" and panel.field is not None)
        assert panel.train is not None and len(panel.train[0]) == 1000  # the training points
        assert panel.field.views == 9  # the output and the 8 neurons of hidden layer 1
        assert panel.view_title().startswith("output")
        await press(pilot, "ctrl+n")
        assert panel.view == 1 and "neuron 1 of layer 1" in panel.view_title()
        # An MNIST run brings the speed plot back.
        app.dashboard.form.load(MNIST)
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.number == 2 and run.state == "completed",
                       timeout=120)
        assert not panel.display and app.query_one(SpeedPlot).display


async def test_confusion_matrix_mistakes_and_neurons_of_an_mnist_run(press, wait_for, open_app):
    async with open_app(MNIST) as (app, pilot, run):
        await press(pilot, "ctrl+o")
        assert any("No trained network yet" in n.message for n in app._notifications)
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "completed", timeout=120)
        await press(pilot, "ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfusionScreen))
        matrix = app.screen.matrix
        assert matrix.total == 10_000 and matrix.counts.shape == (10, 10)
        assert int(matrix.counts.sum()) == 10_000
        await press(pilot, "m")
        await wait_for(pilot, lambda: isinstance(app.screen, MistakesScreen))
        assert len(app.screen.shown) == matrix.total - matrix.correct
        await press(pilot, "escape", "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfusionScreen | MistakesScreen))
        await press(pilot, "ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, NeuronsScreen))
        assert app.screen.images.shape == (30, 28, 28)


async def test_a_training_run_is_paused_before_looking_inside(press, wait_for, open_app):
    async with open_app(MNIST.replace(epochs=30, batch_size=1)) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "training", timeout=60)
        await press(pilot, "ctrl+o")
        assert any("Pause (F6) first" in n.message for n in app._notifications)
        await press(pilot, "f6")
        await wait_for(pilot, lambda: run.state == "paused", timeout=60)
        await press(pilot, "ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfusionScreen), timeout=60)
        await press(pilot, "escape", "f8")
        await wait_for(pilot, lambda: run.state == "stopped", timeout=60)


async def test_a_loaded_2d_network_shows_its_field(tmp_path, wait_for, open_app):
    from nntui.runner.lifecycle import Run

    ended = Run(XOR).execute()
    path = Path(tmp_path) / "xor.npz"
    save_network(path, ended.network, XOR)
    async with open_app(MNIST) as (app, pilot, _):
        panel = app.query_one(BoundaryPanel)
        assert not panel.display
        app.dashboard.load_network_file(path)
        await wait_for(pilot, lambda: panel.display and panel.field is not None)
        assert panel.train is not None


async def test_a_hint_names_the_rule_in_the_log_and_the_status_line(press, wait_for, log_text,
                                                                    open_app):
    async with open_app(XOR.replace(eta=5.0, epochs=20)) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "completed")
        await wait_for(pilot, lambda: "η = 5 looks too high" in log_text(app))
        assert "Hint (epoch" in log_text(app) and run.status.hint  # the latest hint's title
        assert any(n.title.startswith("Hint: ") for n in app._notifications)
        # A run that learns well calls for no rule of thumb, and a new run clears the last one.
        app.dashboard.form.load(XOR)
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.number == 2 and run.state == "completed")
        assert run.status.hint == ""
