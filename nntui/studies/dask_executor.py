"""Training a sweep's runs on ``dask.distributed``: the cluster, the tasks, and what to do when
workers die or go quiet.

:class:`DaskExecutor` starts an embedded ``LocalCluster`` (one single-threaded worker process per
core, BLAS pinned to one thread, Ctrl+C ignored: :func:`~nntui.studies.worker.dask_setup`) or
connects to an existing cluster (``scheduler="tcp://host:8786"``, or ``$NNTUI_DASK_SCHEDULER``:
:func:`scheduler_address`), checking that nntui is installed on its workers.  A task is a config,
a few hundred bytes; each worker loads the data itself and trains the run
(:func:`~nntui.studies.worker.train_on_worker`), streaming what happens through a
``distributed.Queue`` (:mod:`nntui.studies.messages`); a ``distributed.Event`` per run tells it to
stop.  The client hands each message, as the lifecycle's event, to the run's
:class:`~nntui.studies.sweep.Attempt` in its :class:`~nntui.studies.sweep.Sweep`.

Faults: a run whose worker dies is retried once (its first attempt is recorded as
``interrupted``), and failed if its worker dies again: the client counts the starts it hears of,
so the rule is the same on any cluster, whatever the scheduler's ``allowed-failures``.  When no
worker is left, or the scheduler does not answer, for ``lost_grace`` seconds, the unfinished runs
fail.  After a stop the running runs get ``stop_grace`` seconds to finish their mini-batch.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from nntui.status import RunStatus
from nntui.studies.messages import ended_from_dict, event_of
from nntui.studies.sweep import Sweep
from nntui.studies.worker import train_on_worker, worker_identity

SCHEDULER_ENV = "NNTUI_DASK_SCHEDULER"
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler and find a worker on it
STOP_GRACE = 30.0  # seconds the running runs get to finish their mini-batch after a stop
LOST_GRACE = 60.0  # seconds without a worker (or an answering scheduler) before runs fail
LOOK_EVERY = 2.0  # seconds between looks at the cluster's workers
CONNECT_SLACK = 2.0  # seconds past the timeout before giving up on Dask's own connection attempt
RETRIES = 1  # a run whose worker dies is started once more


class ClusterError(RuntimeError):
    """The Dask cluster cannot be used (unreachable, no workers, nntui missing on a worker)."""


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def scheduler_address(given: str | None) -> str | None:
    """The scheduler to use: ``given`` (--scheduler), else ``$NNTUI_DASK_SCHEDULER``, else None
    (start a local cluster)."""
    if given is not None and given.strip():
        return given.strip()
    env = os.environ.get(SCHEDULER_ENV, "").strip()
    return env or None


def check_address(address: str) -> str | None:
    """What is wrong with a scheduler address as written (no connection is tried), or None."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls", "ws", "wss"):
            parse_host_port(location)
    except (ValueError, TypeError) as error:
        return (f"'{address}' is not a Dask scheduler address ({_first_line(error)}); write it "
                f"like tcp://10.0.0.5:8786")
    from distributed.comm.registry import backends

    if scheme not in backends:
        return (f"'{address}' is not a Dask scheduler address (unknown scheme '{scheme}'; known: "
                f"{', '.join(sorted(backends))}); write it like tcp://10.0.0.5:8786")
    return None


class DaskExecutor:
    """The runs on Dask: a ``LocalCluster`` of ``workers`` single-threaded worker processes
    started here (default: one per core, never more than there are runs), or the cluster of the
    scheduler at ``scheduler``.  Use as a context manager: entering connects (raising
    :class:`ClusterError` when it cannot: within ``timeout`` seconds to reach the scheduler, and
    ``CONNECT_SLACK`` more where something that is no scheduler holds the connection open, then
    ``timeout`` more to find a worker), leaving shuts a local cluster down.  ``started_in`` is
    how long entering took."""

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None,
                 timeout: float = CONNECT_TIMEOUT, stop_grace: float = STOP_GRACE,
                 lost_grace: float = LOST_GRACE) -> None:
        if workers is not None and workers < 1:
            raise ValueError("a Dask executor needs at least one worker; use InProcess for none")
        self.requested = workers
        self.scheduler = scheduler
        self.timeout = timeout
        self.stop_grace = stop_grace
        self.lost_grace = lost_grace
        self.cluster: Any = None
        self.client: Any = None
        self.workers = 0
        self.address = ""
        self.started_in = 0.0
        self._stops: dict[int, Any] = {}

    # --- connecting ------------------------------------------------------------------------

    def start(self, runs: int = 0, stop: Callable[[], bool] | None = None) -> DaskExecutor:
        """Start the local cluster or connect to the scheduler; ``runs`` caps the local workers.
        ``stop()`` is asked while it waits for a scheduler: once true, it gives up and returns
        unconnected (a sweep then starts no run)."""
        began = time.perf_counter()
        try:
            if self.scheduler is None:
                self._start_local(runs)
            else:
                self._connect(self.scheduler, stop or (lambda: False))
        except BaseException:
            self.close()
            raise
        self.started_in = time.perf_counter() - began
        return self

    def __enter__(self) -> DaskExecutor:
        return self if self.client is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start_local(self, runs: int) -> None:
        import dask
        from distributed import Client, LocalCluster

        n = self.requested or cores()
        if runs:
            n = min(n, runs)
        # One task per worker thread at a time where Dask queues tasks on the scheduler.
        # (How often a run is retried is the client's rule, counted from the starts it hears
        # of, the same on any cluster: see DaskExecutor._handle.)
        with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
            # Nannies restart a worker that dies; each worker process ignores Ctrl+C (the
            # terminal sends it to the whole process group: only the client acts on it) and
            # pins BLAS to one thread (nntui.studies.worker.dask_setup, preloaded).
            self.cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"},
                silence_logs=logging.CRITICAL, preload=["nntui.studies.worker"])
            self.client = Client(self.cluster, timeout=self.timeout)
        self.workers = n
        self.address = f"a local cluster of {n} worker process{'es' if n != 1 else ''}"

    def _connect(self, address: str, stop: Callable[[], bool]) -> None:
        self.client = self._reach(address, stop)
        if self.client is None:  # stopped while connecting
            return
        deadline = time.monotonic() + self.timeout
        while True:  # in short waits, so that a stop is obeyed at once
            try:
                self.client.wait_for_workers(1, timeout=min(0.5, self.timeout))
                break
            except (OSError, TimeoutError) as error:
                if stop():
                    self.close()
                    return
                if time.monotonic() >= deadline:
                    raise ClusterError(
                        f"the Dask scheduler at {address} has no worker (waited "
                        f"{self.timeout:g} s); start one on each machine with 'dask worker "
                        f"{address}'") from error
        answers = self.client.run(worker_identity, on_error="return")
        missing = [worker for worker, answer in answers.items() if isinstance(answer, Exception)]
        if missing:
            raise ClusterError(
                f"nntui cannot be imported on the Dask worker{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} ({_first_line(answers[missing[0]])}); run 'pip install "
                f"nntui' there, in the environment 'dask worker' runs in")
        self.workers = len(answers)
        self.address = f"the Dask cluster at {address} ({self.workers} worker" \
                       f"{'s' if self.workers != 1 else ''})"

    def _reach(self, address: str, stop: Callable[[], bool]) -> Any:
        """A ``Client`` of the scheduler at ``address``, or None once ``stop()`` is true.

        Dask's ``timeout`` bounds opening the connection, not the handshake after it: where
        something else accepts the connection (a web server, say) ``Client`` waits for an answer
        for ever.  So the client is made in a thread of its own and given up after ``timeout``
        (and a little more, so that Dask's own, more precise, error comes first when it can);
        if it ever connects after all, the thread closes it."""
        from distributed import Client

        outcome: dict[str, Any] = {}
        given_up = threading.Event()

        def connect() -> None:
            try:
                client = Client(address, timeout=self.timeout)
            except BaseException as error:
                outcome["error"] = error
                return
            outcome["client"] = client
            if given_up.is_set():  # nobody waits for it any more
                with contextlib.suppress(Exception), _quiet_logs():
                    client.close(timeout=5)

        thread = threading.Thread(target=connect, name="nntui-dask-connect", daemon=True)
        thread.start()
        deadline = time.monotonic() + self.timeout + CONNECT_SLACK
        try:
            while thread.is_alive():
                if stop():
                    return None
                if time.monotonic() >= deadline:
                    raise ClusterError(
                        f"cannot reach the Dask scheduler at {address} within "
                        f"{self.timeout:g} s ({_no_answer(address)}); check the address, or "
                        f"start one there with 'dask scheduler' (and 'dask worker {address}' on "
                        f"each machine)")
                thread.join(0.1)
        finally:
            if thread.is_alive():
                given_up.set()
        error = outcome.get("error")
        if isinstance(error, (OSError, TimeoutError)):
            raise ClusterError(
                f"cannot reach the Dask scheduler at {address} within {self.timeout:g} s "
                f"({_first_line(error)}); check the address, or start one there with "
                f"'dask scheduler' (and 'dask worker {address}' on each machine)") from error
        if isinstance(error, (ValueError, TypeError)):
            raise ClusterError(f"'{address}' is not a Dask scheduler address "
                               f"({_first_line(error)}); write it like tcp://10.0.0.5:8786"
                               ) from error
        if error is not None:
            raise error
        if stop():
            with contextlib.suppress(Exception), _quiet_logs():
                outcome["client"].close(timeout=5)
            return None
        return outcome["client"]

    def close(self) -> None:
        """Disconnect; shut the local cluster (and its worker processes) down."""
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        with _quiet_logs():
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close(timeout=5)
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close(timeout=10)

    # --- running ---------------------------------------------------------------------------

    def execute(self, sweep: Sweep) -> None:
        from distributed import Event, Queue

        if sweep.control.stop_requested:  # stopped before the cluster was ready: no run starts
            for result in sweep.results:
                sweep.not_run(result)
            return
        if self.client is None:
            self.start(len(sweep.runs), stop=lambda: sweep.control.stop_requested)
            if self.client is None:  # stopped while it connected
                self.execute(sweep)
                return
        client = self.client
        token = uuid.uuid4().hex[:12]
        queue = Queue(f"nntui-sweep-{token}", client=client)
        # One stop event per run: set for all of them by a stop, for one run given up.
        self._stops = {result.run.index: Event(f"nntui-sweep-stop-{token}-{result.run.index}",
                                               client=client) for result in sweep.results}
        futures: dict[int, Any] = {}
        for result in sweep.results:
            task = {"index": result.run.index, "config": result.config.to_dict(),
                    "data_dir": sweep.data_dir, "queue": queue.name,
                    "stop": self._stops[result.run.index].name}
            futures[result.run.index] = client.submit(
                train_on_worker, task, key=f"nntui-{sweep.name}-{token}-{result.run.index}",
                pure=False)
        stopping_since: float | None = None
        trouble: dict[str, tuple[float, str]] = {}  # what is wrong with the cluster, since when
        looked = time.monotonic()
        try:
            while any(not result.final for result in sweep.results):
                if sweep.control.stop_requested and stopping_since is None:
                    stopping_since = time.monotonic()
                    for result in sweep.results:  # never start the others
                        if result.state == "queued":
                            futures[result.run.index].cancel()
                            sweep.not_run(result)
                    for result in sweep.results:
                        self._stop(result.run.index)
                done = [index for index, future in futures.items()
                        if future.done() and not sweep.results[index].final]
                try:
                    messages = _drain(queue, 0.0 if done else 0.2)
                    trouble.pop("scheduler", None)
                except Exception as error:  # the scheduler is gone or does not answer
                    messages = []
                    trouble.setdefault("scheduler", (time.monotonic(), _first_line(error)))
                    time.sleep(0.5)
                for message in messages:
                    self._handle(sweep, message, futures)
                for index in done:
                    self._settle(sweep, index, futures[index])
                if time.monotonic() - looked >= LOOK_EVERY:
                    looked = time.monotonic()
                    self._look_at_workers(client, trouble)
                lost = self._lost(client, trouble)
                if lost is not None:
                    self._fail_unfinished(sweep, futures, lost)
                if stopping_since is not None and \
                        time.monotonic() - stopping_since > self.stop_grace:
                    sweep.abandon(f"stopped: its worker did not answer within "
                                  f"{self.stop_grace:g} s")
        finally:
            # However the loop ends (a second Ctrl+C included), no run goes on by itself.
            with contextlib.suppress(Exception), _quiet_logs():
                client.cancel(list(futures.values()))
            for index in list(self._stops):  # each run its worker has not seen end
                attempt = sweep.attempt_of(index)
                if attempt is None or not attempt.ended or attempt.token in ("result", "error",
                                                                             "lost"):
                    self._stop(index)
            self._stops.clear()

    def _look_at_workers(self, client: Any, trouble: dict[str, tuple[float, str]]) -> None:
        try:
            alive = bool(client.nthreads())
        except Exception as error:
            trouble.setdefault("scheduler", (time.monotonic(), _first_line(error)))
            return
        if alive:
            trouble.pop("workers", None)
        else:
            trouble.setdefault("workers", (time.monotonic(), ""))

    def _lost(self, client: Any, trouble: dict[str, tuple[float, str]]) -> str | None:
        """Why the unfinished runs cannot go on, once a trouble has lasted ``lost_grace``."""
        address = self.scheduler or getattr(getattr(self.cluster, "scheduler", None),
                                            "address", "?")
        now = time.monotonic()
        if "scheduler" in trouble and now - trouble["scheduler"][0] > self.lost_grace:
            return (f"the Dask scheduler at {address} did not answer for {self.lost_grace:g} s "
                    f"({trouble['scheduler'][1]})")
        if "workers" in trouble and now - trouble["workers"][0] > self.lost_grace:
            return (f"no Dask worker was left on the cluster for {self.lost_grace:g} s; start "
                    f"one with 'dask worker {address}'")
        return None

    def _fail_unfinished(self, sweep: Sweep, futures: dict[int, Any], message: str) -> None:
        for result in sweep.results:
            if result.final:
                continue
            index = result.run.index
            self._give_up(index, futures[index])
            attempt = sweep.attempt_of(index)
            if attempt is None or attempt.ended:
                attempt = sweep.start_attempt(index, "lost")
            attempt.end_here(RunStatus.FAILED, message)
            sweep.run_ended(result)

    def _stop(self, index: int) -> None:
        """Tell run ``index``, wherever it trains, to stop after its mini-batch."""
        event = self._stops.pop(index, None)
        if event is not None:
            with contextlib.suppress(Exception), _quiet_logs():
                event.set()

    def _give_up(self, index: int, future: Any) -> None:
        """A run that is final here: its task, if it still trains somewhere, stops."""
        with contextlib.suppress(Exception), _quiet_logs():
            future.cancel()
        self._stop(index)

    def _handle(self, sweep: Sweep, message: dict, futures: dict[int, Any]) -> None:
        index, token, kind = message["index"], message["attempt"], message["kind"]
        result = sweep.results[index]
        if result.final:
            if kind == "started":  # re-run after its end was recorded: nobody wants it
                self._give_up(index, futures[index])
            return
        attempt = sweep.attempt_of(index)
        if attempt is None or attempt.token != token:
            if attempt is not None and not attempt.ended:
                # A new start while the last one never ended: its worker died.
                if result.attempts > RETRIES:
                    self._give_up(index, futures[index])
                    attempt.end_here(RunStatus.FAILED, _died_twice(result.attempts))
                    sweep.run_ended(result)
                    return
                words = (f"its worker {result.worker or '?'} died during epoch "
                         f"{result.epoch or 1}; the run was started again on "
                         f"{message.get('worker', '?')}")
                attempt.end_here(RunStatus.INTERRUPTED, words)
                sweep.warn(f"{result.label}: {words}")
            attempt = sweep.start_attempt(index, token)
        result.worker = message.get("worker", result.worker)
        event = event_of(message, result.config)
        if event is None:
            return
        try:
            attempt.notify(event)
        except Exception as error:  # an observer failed: as in Run, the run fails, not the sweep
            detail = _first_line(error)
            if attempt.ended:
                sweep.warn(f"{result.label}: {detail}")
            else:
                self._give_up(index, futures[index])
                with contextlib.suppress(Exception):
                    attempt.end_here(RunStatus.FAILED,
                                     f"training failed: {type(error).__name__}: {detail}")
        if result.final:
            sweep.run_ended(result)

    def _settle(self, sweep: Sweep, index: int, future: Any) -> None:
        """A task that is done although its run has not been heard to end."""
        result = sweep.results[index]
        if result.final:  # its end arrived with the messages drained just before
            return
        attempt = sweep.attempt_of(index)
        if future.status == "finished":
            data = future.result()
            ended = ended_from_dict(data) if isinstance(data, dict) else None
            if attempt is None:
                attempt = sweep.start_attempt(index, "result")
            if ended is not None:
                attempt.on_run_end(ended)
            else:
                attempt.end_here(RunStatus.FAILED, "its worker returned no outcome")
        elif future.status == "cancelled":
            if result.state == "queued" or attempt is None:
                sweep.not_run(result)
                return
            attempt.end_here(RunStatus.STOPPED if sweep.control.stop_requested
                             else RunStatus.FAILED, "cancelled on the Dask cluster")
        else:
            error = future.exception()
            if type(error).__name__ == "KilledWorker":  # its workers died before it started
                message = _died_twice(getattr(error, "allowed_failures", RETRIES) + 1)
            else:
                message = f"failed on its Dask worker: {_first_line(error)}"
            if attempt is None:
                attempt = sweep.start_attempt(index, "error")
            attempt.end_here(RunStatus.FAILED, message)
        sweep.run_ended(result)


def _died_twice(deaths: int) -> str:
    return (f"the Dask worker running it died {deaths} times (a run is retried once); look at "
            f"the workers' logs, or give it fewer or smaller layers if they run out of memory")


def _no_answer(address: str) -> str:
    """Why a scheduler did not answer in time, as far as one more look can tell."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
        if scheme not in ("tcp", "tls") or not port:
            raise ValueError(address)
        socket.create_connection((host, port), timeout=1).close()
    except (OSError, ValueError, TypeError):
        return "no answer"
    return "something answers there, but not as a Dask scheduler"


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


@contextlib.contextmanager
def _quiet_logs():
    """Dask's loggers kept quiet while a cluster shuts down (its workers' goodbyes are noise)."""
    loggers = [logging.getLogger(name) for name in ("distributed", "tornado", "asyncio")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _drain(queue: Any, wait: float) -> list[dict]:
    """What is in the queue: waits up to ``wait`` seconds for the first message."""
    messages = []
    if wait > 0:
        try:
            messages.append(queue.get(timeout=wait))
        except TimeoutError:
            return []
    messages.extend(queue.get(batch=True))
    return messages
