"""The worker side of a sweep on Dask: what each worker process imports and runs.

Dask imports this module on every worker of a local cluster before it takes a task (it is the
cluster's ``preload``: :func:`dask_setup`), and runs :func:`train_on_worker` there for each run,
or :func:`worker_identity` to check that nntui is installed on a cluster given by its scheduler.
It imports only what one run needs (the lifecycle, the config and the message format), never the
client's machinery (:mod:`nntui.studies.sweep`, :mod:`nntui.studies.dask_executor`): a worker
loads its data itself and trains through the one run lifecycle,
:class:`~nntui.runner.lifecycle.Run`, streaming what happens back to the client
(:mod:`nntui.studies.messages`) and looking, between events, at the run's stop event.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from typing import Any

from nntui.config import config_from_dict
from nntui.engine import BatchProgress, Control, EpochReport
from nntui.insight.saturation import SaturationReport
from nntui.runner.lifecycle import Run, RunEnded, RunObserver, RunStarted
from nntui.studies.messages import (
    ended_message,
    ended_to_dict,
    epoch_message,
    progress_message,
    saturation_message,
    started_message,
)

PROGRESS_EVERY = 1.0  # seconds between progress messages of a run
STOP_CHECK_EVERY = 0.5  # seconds between looks at the sweep's stop event


def worker_identity() -> str:
    """Run on each worker before a sweep: importing it proves nntui is installed there."""
    from nntui import __version__

    return __version__


def dask_setup(worker: Any) -> None:
    """Preloaded into each worker of the local cluster: ignore Ctrl+C (the client stops the
    runs) and pin BLAS to one thread (one run per core)."""
    from threadpoolctl import threadpool_limits

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(limits=1)


class _Streamer(RunObserver):
    """What happens to the run, to the sweep's queue (progress at most once a second); the
    sweep's stop event is looked at between events, at most every half second, and stops the
    run's ``control`` once set."""

    def __init__(self, queue: Any, header: dict, stop: Any, control: Control) -> None:
        self.queue, self.header, self.stop, self.control = queue, header, stop, control
        self.stop_looked = 0.0
        self.progress_sent = 0.0

    def send(self, message: dict) -> None:
        self.queue.put({**self.header, **message})

    def check_stop(self) -> None:
        now = time.monotonic()
        if now - self.stop_looked >= STOP_CHECK_EVERY:
            self.stop_looked = now
            if self.stop.is_set():
                self.control.stop()

    def on_run_start(self, started: RunStarted) -> None:
        self.send({**started_message(started), "pid": os.getpid()})
        self.check_stop()

    def on_epoch(self, report: EpochReport) -> None:
        self.send(epoch_message(report))
        self.check_stop()

    def on_saturation(self, report: SaturationReport) -> None:
        self.send(saturation_message(report))

    def on_progress(self, progress: BatchProgress) -> None:
        now = time.monotonic()
        if now - self.progress_sent >= PROGRESS_EVERY:
            self.progress_sent = now
            self.send(progress_message(progress))
        self.check_stop()

    def on_run_end(self, ended: RunEnded) -> None:
        self.send(ended_message(ended))


def train_on_worker(task: dict) -> dict:
    """A Dask task: train one run of a sweep through :class:`~nntui.runner.lifecycle.Run` on this
    worker (which loads the data itself), streaming what happens to the sweep's queue; returns
    how it ended (without the network).

    ``task`` holds the run's place (``index``), its config as a dict, the data folder, and the
    names of the sweep's queue and of the run's stop event."""
    from distributed import Event, Queue, get_worker
    from threadpoolctl import threadpool_limits

    header = {"index": task["index"], "attempt": uuid.uuid4().hex,
              "worker": get_worker().address}
    control = Control()
    streamer = _Streamer(Queue(task["queue"]), header, Event(task["stop"]), control)
    config = config_from_dict(task["config"])
    streamer.check_stop()
    with threadpool_limits(limits=1):
        ended = Run(config, observers=[streamer], control=control,
                    data_dir=task["data_dir"], progress_interval=0.25).execute()
    return ended_to_dict(ended)
