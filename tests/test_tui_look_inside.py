"""The worker's observers for looking inside: decision fields and hints, posted as messages, on
real runs."""

from __future__ import annotations

from nntui.config import PRESETS
from nntui.engine import Control, EpochReport, Paused
from nntui.lifecycle import Run
from nntui.tui.look_inside import FieldObserver, FieldReady, HintNoticed, hint_observer

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


def test_every_epoch_gets_a_field_with_no_interval_and_a_pause_gets_one():
    posted: list = []
    observer = FieldObserver(1, posted.append, grid=lambda: (4, 4), interval=0.0)
    control = Control()

    def pause_once(event) -> None:
        if isinstance(event, EpochReport) and event.epoch == 3:
            control.step()  # finish nothing more: pause before epoch 4
        elif isinstance(event, Paused):
            control.resume()

    Run(XOR, observers=[pause_once, observer], control=control).execute()
    assert len(posted) == XOR.epochs + 2  # each epoch, the pause and the end


def test_no_field_for_images():
    posted: list = []
    observer = FieldObserver(1, posted.append, grid=lambda: (4, 4), interval=0.0)
    config = PRESETS["nielsen-baseline"].config().replace(train_size=200, epochs=1)
    Run(config, observers=[observer]).execute()
    assert posted == []


def test_hints_are_posted_as_messages():
    posted: list = []
    Run(XOR.replace(eta=5.0, epochs=20), observers=[hint_observer(3, posted.append)]).execute()
    assert posted and all(isinstance(m, HintNoticed) and m.run == 3 for m in posted)
    assert "eta-too-high" in {m.hint.kind for m in posted}
