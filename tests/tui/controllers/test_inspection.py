"""The worker's observers for looking inside: decision fields and hints, posted as messages, on
real runs."""

from __future__ import annotations

from textual.app import App, ComposeResult

from nntui.engine import Control, EpochReport, Paused
from nntui.presets import PRESETS
from nntui.runner.experiment import load_data
from nntui.runner.lifecycle import Run
from nntui.tui.controllers.inspection import FieldObserver, FieldReady, HintNoticed, hint_observer
from nntui.tui.widgets.boundary import BoundaryPanel

XOR = PRESETS["xor"].config().replace(pace=0, epochs=10)


def test_fields_of_a_2d_run_are_posted_first_then_at_the_interval_and_at_the_end():
    posted: list = []
    observer = FieldObserver(7, posted.append, grid=lambda: (12, 20), extent=lambda: 1.5,
                             interval=3600.0)
    ended = Run(XOR, observers=[observer]).execute()
    assert ended.status == "completed"
    assert len(posted) == 2  # the first epoch's, and the end's (the interval is an hour)
    assert all(isinstance(m, FieldReady) and m.run == 7 for m in posted)
    field = posted[-1].field
    assert field.shape == (12, 20) and field.extent == 1.5 and field.views == 9
    assert observer.network is None  # let go at the end


def test_every_epoch_gets_a_field_with_no_interval_and_a_pause_gets_one(recorder):
    posted: list = []
    observer = FieldObserver(1, posted.append, grid=lambda: (4, 4), interval=0.0)
    control = Control()

    def pause_once(event) -> None:
        if isinstance(event, EpochReport) and event.epoch == 3:
            control.step()  # finish nothing more: pause before epoch 4
        elif isinstance(event, Paused):
            control.resume()

    recorder.then = pause_once
    Run(XOR, observers=[recorder, observer], control=control).execute()
    assert len(posted) == XOR.epochs + 2  # each epoch, the pause and the end


def test_no_field_for_images():
    posted: list = []
    observer = FieldObserver(1, posted.append, grid=lambda: (4, 4), interval=0.0)
    config = PRESETS["nielsen-baseline"].config().replace(train_size=200, epochs=1)
    Run(config, observers=[observer]).execute()
    assert posted == []


def test_a_newer_field_of_the_same_run_replaces_an_unhandled_one():
    posted: list = []
    observer = FieldObserver(1, posted.append, grid=lambda: (4, 4), interval=0.0)
    Run(XOR.replace(epochs=2), observers=[observer]).execute()
    older, newer = posted[0], posted[1]
    assert older.can_replace(newer)
    assert not older.can_replace(FieldReady(run=2, field=newer.field))  # another run's
    assert not older.can_replace(HintNoticed(run=1, hint=None))


def test_hints_are_posted_as_messages():
    posted: list = []
    Run(XOR.replace(eta=5.0, epochs=20), observers=[hint_observer(3, posted.append)]).execute()
    assert posted and all(isinstance(m, HintNoticed) and m.run == 3 for m in posted)
    assert "eta-too-high" in {m.hint.kind for m in posted}


class LiveApp(App[None]):
    """A run trained in a thread worker, its fields drawn in the panel as they arrive: the
    wiring the app will have."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[FieldReady] = []

    def compose(self) -> ComposeResult:
        yield BoundaryPanel()

    def on_mount(self) -> None:
        data = load_data(XOR)
        self.query_one(BoundaryPanel).set_points(data.train.x, data.train.labels)
        self.run_worker(self.train, thread=True)

    def train(self) -> None:
        panel = self.query_one(BoundaryPanel)
        observer = FieldObserver(1, self.post_message, grid=lambda: panel.grid_size,
                                 extent=lambda: panel.extent)
        Run(XOR, observers=[observer]).execute()

    def on_field_ready(self, message: FieldReady) -> None:
        self.fields.append(message)
        self.query_one(BoundaryPanel).show_field(message.field)


async def test_fields_from_a_worker_thread_reach_the_panel():
    app = LiveApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.query_one(BoundaryPanel)
        assert app.fields and panel.field is app.fields[-1].field
        assert panel.field.shape == panel.grid_size
        assert panel.image.image_size.width == panel.grid_size[1]


def test_a_run_trained_elsewhere_gets_no_field_and_hints_from_its_epochs():
    from nntui.runner.lifecycle import RunStarted

    posted: list = []
    observer = FieldObserver(1, posted.append, grid=lambda: (4, 4), interval=0.0)
    hints = hint_observer(1, posted.append)
    started = RunStarted(config=XOR, description="xor", sizes=[2, 8, 8, 2], n_train=1000,
                         held_out="validation", batches=100, network=None)
    for each in (observer, hints):
        each.on_run_start(started)
    report = EpochReport(epoch=1, epochs=2, train_cost=0.7, train_accuracy=0.5, val_cost=0.7,
                         val_accuracy=0.5, learning_speed=(0.1, 0.1, 0.1), seconds=0.1,
                         examples_per_second=1e4, eta=0.1)
    observer.on_epoch(report)
    hints.on_epoch(report)
    assert posted == [] and observer.network is None and hints.network is None
