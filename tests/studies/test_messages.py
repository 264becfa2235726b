"""Tests of what a worker tells the client: every event comes back as it was, without the
network, through nothing but builtins."""

from __future__ import annotations

import json

from nntui.config import DEFAULTS
from nntui.engine import BatchProgress, EpochReport
from nntui.insight.saturation import LayerSaturation, SaturationReport
from nntui.runner.lifecycle import RunEnded, RunStarted
from nntui.status import RunStatus
from nntui.studies.messages import (
    ended_from_dict,
    ended_message,
    ended_to_dict,
    epoch_message,
    event_of,
    progress_message,
    saturation_message,
    started_message,
)


def _through_the_queue(message: dict) -> dict:
    """A message as another process gets it: builtins only (JSON would refuse anything else)."""
    return json.loads(json.dumps(message))


def test_every_event_comes_back_as_it_was() -> None:
    started = RunStarted(config=DEFAULTS, description="MNIST", sizes=[784, 30, 10],
                         n_train=50_000, held_out="validation", batches=5000, network=None)
    progress = BatchProgress(epoch=2, epochs=30, batch=100, batches=5000, running_cost=0.4,
                             eta=0.5, examples_per_second=9000.0, seconds=0.1)
    report = EpochReport(epoch=1, epochs=30, train_cost=None, train_accuracy=None,
                         val_cost=0.6, val_accuracy=0.91, learning_speed=(0.1, 0.2),
                         seconds=5.0, examples_per_second=10_000.0, eta=0.5,
                         notes=("η halved to 0.25",))
    ended = RunEnded(status=RunStatus.STOPPED, message="stopped during epoch 2",
                     epochs_run=1, best_val_accuracy=0.91, best_epoch=1, test_accuracy=0.9,
                     seconds=6.5, stopped_at=(2, 100, 5000), detail="during epoch 2")
    for event, message in ((started, started_message(started)),
                           (progress, progress_message(progress)),
                           (report, epoch_message(report)), (ended, ended_message(ended))):
        assert event_of(_through_the_queue(message), DEFAULTS) == event


def test_the_network_stays_on_the_worker_and_a_task_returns_how_the_run_ended() -> None:
    ended = RunEnded(status=RunStatus.COMPLETED, message="done", epochs_run=3,
                     network=object())  # a network is never sent
    data = _through_the_queue(ended_to_dict(ended))
    assert data["network"] is None and data["status"] == "completed"
    back = ended_from_dict(data)
    assert back.network is None and back.status is RunStatus.COMPLETED
    assert back.stopped_at is None and back.epochs_run == 3


def test_a_kind_this_client_does_not_know_is_passed_over() -> None:
    assert event_of({"kind": "weights", "index": 0}, DEFAULTS) is None


def test_saturation_statistics_come_back_as_they_were() -> None:
    """A sweep's run on a worker measures its saturated neurons there; the client records them."""
    layer = LayerSaturation(name="hidden 1", activation="sigmoid", measure="saturated",
                            fraction=0.25, lo=-5.0, hi=5.0, counts=(1, 2, 3), below=0, above=1,
                            z_mean=0.5, z_std=1.5, derivative=(1, 0, 0, 0, 0, 0, 0, 0, 0, 6))
    report = SaturationReport(epoch=4, sample=1000, layers=(layer,))
    assert event_of(_through_the_queue(saturation_message(report)), DEFAULTS) == report
