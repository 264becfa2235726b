"""What a sweep's run on a Dask worker tells the client, as plain dicts through a
``distributed.Queue``: each kind's encoding (on the worker) beside its decoding (on the client).

Every message carries the run's place (``index``), a token new with each start of the run
(``attempt``: a second start means its first worker died), the worker's address (``worker``) and
its ``kind``:

    started    the lifecycle's RunStarted, without the network (it stays on the worker)
    progress   a BatchProgress (at most one a second)
    epoch      an EpochReport
    saturation a SaturationReport of an epoch's end (the statistics of saturated neurons)
    ended      the lifecycle's RunEnded, without the network; also what the Dask task returns

The client turns each back into the lifecycle's own event (:func:`event_of`) and hands it to the
same observers a run trained here has.  Only builtins travel: any scheduler passes them on.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from nntui.config import Config
from nntui.engine import BatchProgress, EpochReport
from nntui.insight.saturation import SaturationReport
from nntui.runner.lifecycle import RunEnded, RunStarted
from nntui.status import RunStatus


def started_message(started: RunStarted) -> dict:
    return {"kind": "started", "description": started.description, "sizes": list(started.sizes),
            "n_train": started.n_train, "held_out": started.held_out,
            "batches": started.batches, "n_held_out": started.n_held_out}


def started_event(message: dict, config: Config) -> RunStarted:
    return RunStarted(config=config, description=message["description"],
                      sizes=list(message["sizes"]), n_train=message["n_train"],
                      held_out=message["held_out"], batches=message["batches"], network=None,
                      n_held_out=message["n_held_out"])


def progress_message(progress: BatchProgress) -> dict:
    return {"kind": "progress", "progress": dataclasses.asdict(progress)}


def progress_event(message: dict, config: Config) -> BatchProgress:
    return BatchProgress(**message["progress"])


def epoch_message(report: EpochReport) -> dict:
    return {"kind": "epoch", "report": dataclasses.asdict(report)}


def epoch_event(message: dict, config: Config) -> EpochReport:
    report = dict(message["report"])
    report["learning_speed"] = tuple(report["learning_speed"])
    report["notes"] = tuple(report["notes"])
    return EpochReport(**report)


def saturation_message(report: SaturationReport) -> dict:
    return {"kind": "saturation", "report": report.as_dict()}


def saturation_event(message: dict, config: Config) -> SaturationReport:
    return SaturationReport.from_dict(message["report"])


def ended_message(ended: RunEnded) -> dict:
    return {"kind": "ended", "ended": ended_to_dict(ended)}


def ended_event(message: dict, config: Config) -> RunEnded:
    return ended_from_dict(message["ended"])


def ended_to_dict(ended: RunEnded) -> dict:
    """How a run ended, in builtins (the network left out)."""
    data = {f.name: getattr(ended, f.name) for f in dataclasses.fields(RunEnded)}
    data["network"] = None
    data["status"] = str(ended.status)
    return data


def ended_from_dict(data: dict) -> RunEnded:
    stopped_at = data.get("stopped_at")
    return RunEnded(**{**data, "network": None, "status": RunStatus(data["status"]),
                       "stopped_at": tuple(stopped_at) if stopped_at is not None else None})


DECODERS = {"started": started_event, "progress": progress_event, "epoch": epoch_event,
            "saturation": saturation_event, "ended": ended_event}
"""Each kind of message's decoding."""


def event_of(message: dict, config: Config) -> Any:
    """The lifecycle event a worker's message stands for (None for a kind this client does not
    know: a newer worker's news is passed over, not an error); ``config`` is the run's."""
    decode = DECODERS.get(message["kind"])
    return None if decode is None else decode(message, config)
