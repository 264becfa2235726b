"""``nntui sweep``: many runs of one config, some fields varied, trained side by side on Dask.

    nntui sweep [--preset NAME] [config flags] --vary NAME=V1,V2,... [--vary ...]
                [--plot] [--name NAME] [--workers N | --scheduler ADDRESS] [--timeout S]
                [--json FILE] [--runs-db PATH] [--data-dir DIR] [--quiet]

Several ``--vary`` make the cartesian product; a layer list is written with ``-``
(``--vary hidden=30,64-64``).  Every run is checked before any starts.  By default the runs go
to a local Dask cluster with one single-threaded worker process per core (``--workers N`` to
change it, ``--workers 0`` to train them one after another in this process); ``--scheduler
ADDRESS`` or ``$NNTUI_DASK_SCHEDULER`` sends them to an existing cluster whose workers have
nntui installed.  A live table shows every run while they train, then a table sorted by best
held-out accuracy; with ``--plot``, each run's best held-out accuracy and final training cost
against the varied value (:mod:`nntui.studies.against`; a second varied field draws a line per
value).  Every run is recorded in the run history with the sweep's name as its group.

Exit codes: 0 when every run ended (a diverging run is a result), 1 when a run failed, the
cluster could not be used or ``--json`` could not be written, 2 for a usage error (every bad
value is named), 128 + the signal's number when Ctrl+C, SIGTERM or SIGHUP stopped it (the runs
that finished are kept, the running ones are recorded as stopped).
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from nntui.cli.arguments import (
    add_config_arguments,
    consoles,
    flag,
    print_presets,
    seconds_value,
    workers_value,
)
from nntui.cli.study import exit_status, json_problem, train, workers_notes, write_json
from nntui.config import DEFAULTS, SPECS, Config, parse_values
from nntui.engine import Control
from nntui.presets import PRESETS
from nntui.render.against import plot_in_terminal
from nntui.render.styles import STATUS_STYLES
from nntui.runner.lifecycle import open_history
from nntui.runner.signals import StopOnSignals
from nntui.status import ExitStatus, RunStatus
from nntui.studies.against import AgainstError, against, check_plottable, from_results
from nntui.studies.dask_executor import (
    CONNECT_TIMEOUT,
    SCHEDULER_ENV,
    DaskExecutor,
    check_address,
    cores,
    scheduler_address,
)
from nntui.studies.plan import SweepError, SweepRun, check_data, default_name, groups_in, plan_sweep
from nntui.studies.results import (
    MISSING,
    VariantResult,
    best_text,
    cost_text,
    held_out_heading,
    outcome_words,
    percent,
)
from nntui.studies.sweep import Executor, InProcess, Sweep, SweepResult

PROG = "nntui sweep"



# --- arguments ---------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train one config with some of its hyperparameters varied, the runs side "
                    "by side on a Dask cluster (by default a local one, one worker process "
                    "per core). Every run is recorded in the run history under the sweep's "
                    "name.",
        epilog="Example: nntui sweep --preset nielsen-l2 --epochs 10 --vary eta=0.025,0.25,2.5 "
               "--vary hidden=30,100. Exit codes: 0 when every run ended (a diverging run is a "
               "result), 1 when one failed or the cluster could not be used, 2 for a usage "
               "error, 130 / 143 / 129 when Ctrl+C, SIGTERM or SIGHUP stopped it.")
    sweep = parser.add_argument_group("the sweep")
    sweep.add_argument("--vary", action="append", default=[], metavar="NAME=V1,V2,...",
                       help="a hyperparameter and its values (any of the flags below, e.g. "
                            "eta=0.025,0.25,2.5); several --vary make every combination; a "
                            "layer list is written with '-': hidden=30,64-64,none")
    sweep.add_argument("--name", metavar="NAME",
                       help="the sweep's name, its runs' group in the run history (default: "
                            "sweep-DATE-TIME)")
    sweep.add_argument("--workers", type=workers_value, metavar="N",
                       help=f"worker processes of the local Dask cluster (default: one per "
                            f"core, here {cores()}, never more than there are runs); 0 trains "
                            f"the runs one after another in this process")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="an existing Dask cluster's scheduler, e.g. tcp://10.0.0.5:8786 "
                            "(default: $NNTUI_DASK_SCHEDULER, else a local cluster); its "
                            "workers need nntui installed")
    sweep.add_argument("--timeout", type=seconds_value, default=CONNECT_TIMEOUT, metavar="SECONDS",
                       help=f"how long to try to reach the scheduler and find a worker on it "
                            f"[default {CONNECT_TIMEOUT:g}]")
    sweep.add_argument("--json", metavar="FILE",
                       help="write the sweep: its name and each run's record as 'nntui train "
                            "--json' writes it (also when stopped)")
    sweep.add_argument("--plot", action="store_true",
                       help="after the table, plot each run's best held-out accuracy and final "
                            "training cost against the varied value (a line per value of a "
                            "second --vary); needs two values or more of one or two fields")
    sweep.add_argument("--quiet", action="store_true", help="print only the final table")
    add_config_arguments(parser)
    return parser


def usage_error(err: Console, problems: Sequence[str]) -> int:
    if len(problems) == 1:
        err.print(f"{PROG}: error: {problems[0]}", highlight=False)
    else:
        err.print(f"{PROG}: error: {len(problems)} problems:", highlight=False)
        for problem in problems:
            err.print(f"  - {problem}", highlight=False)
    return ExitStatus.USAGE


# --- tables ------------------------------------------------------------------------------------

def live_table(sweep: Sweep) -> Table:
    """One row per run while the sweep goes: state, epoch, last cost, best held-out accuracy."""
    results = sweep.results
    done = sum(r.final for r in results)
    table = Table(title=f"Sweep {sweep.name}: {done}/{len(results)} runs done",
                  box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("run", style="bold", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("epoch", justify="right", no_wrap=True)
    table.add_column("last cost", justify="right", no_wrap=True)
    table.add_column(f"best {held_out_heading(r.config for r in results)}", justify="right",
                     no_wrap=True)
    for result in results:
        state = result.state + (f" (try {result.attempts})" if result.attempts > 1
                                and not result.final else "")
        epoch = f"{result.epoch}/{result.config.epochs}" if result.epoch else MISSING
        table.add_row(result.label, Text(state, STATUS_STYLES.get(result.state, "")), epoch,
                      cost_text(result.last_cost), percent(result.best))
    return table


def _sort_key(result: SweepResult) -> tuple:
    best = result.ended.best_val_accuracy if result.ended is not None else None
    return (best is None or math.isnan(best), -(best or 0.0), result.run.index)


def final_table(sweep: Sweep) -> Table:
    """Every run, the best held-out accuracy first."""
    results = sorted(sweep.results, key=_sort_key)
    table = Table(title=f"Sweep {sweep.name}: {len(results)} runs, best first",
                  box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    table.add_column("run", style="bold", min_width=8, no_wrap=True)
    table.add_column("status", min_width=9, no_wrap=True)
    table.add_column("epochs", justify="right", no_wrap=True)
    table.add_column(f"best {held_out_heading(r.config for r in results)}\n(epoch)",
                     justify="right", no_wrap=True)
    table.add_column("last\ncost", justify="right", no_wrap=True)
    table.add_column("test\naccuracy", justify="right", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("tries", justify="right", no_wrap=True)
    for result in results:
        ended = result.ended
        status = Text(result.state, STATUS_STYLES.get(result.state, ""))
        if ended is None:
            table.add_row(result.label, status, f"0/{result.config.epochs}",
                          *[MISSING] * 4, str(result.attempts))
            continue
        table.add_row(result.label, status, f"{ended.epochs_run}/{result.config.epochs}",
                      best_text(ended), cost_text(result.last_cost if result.history else None),
                      percent(ended.test_accuracy), f"{ended.seconds:.1f}s",
                      str(result.attempts))
    return table


class SweepDisplay:
    """The live table on a terminal (redrawn four times a second); elsewhere a line per run as
    it ends."""

    def __init__(self, console: Console, sweep: Sweep, quiet: bool) -> None:
        self.console, self.sweep, self.quiet = console, sweep, quiet
        self.signal_name = ""
        self.live: Live | None = None
        self.ended = 0

    def __enter__(self) -> SweepDisplay:
        if self.console.is_terminal and not self.quiet:
            self.live = Live(console=self.console, refresh_per_second=4, transient=True,
                             get_renderable=lambda: live_table(self.sweep))
            self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()

    def on_result(self, result: SweepResult) -> None:
        self.ended += 1
        if self.quiet or self.live is not None:
            return
        line = Text(f"[{self.ended}/{len(self.sweep.results)}] ", "dim")
        line.append(result.label, "bold")
        line.append(": ")
        if result.ended is None:
            line.append(RunStatus.NOT_RUN, "dim")
        else:
            words = outcome_words(VariantResult.of(result), self.signal_name)
            if result.worker:
                words += f", on {result.worker}"
            if result.attempts > 1:
                words += f" (try {result.attempts})"
            line.append(words, STATUS_STYLES.get(result.state, ""))
        self.console.print(line, highlight=False)


def plot_results(sweep: Sweep, console: Console) -> None:
    """``--plot``: the runs' results against the varied value, or why there is nothing to
    plot (every run stopped, diverged or failed)."""
    try:
        figure = against(from_results([VariantResult.of(r) for r in sweep.results]),
                         source=sweep.name)
    except AgainstError as error:
        console.print(f"Nothing to plot: {error}.", highlight=False)
        return
    plot_in_terminal(figure, console)


# --- the command -------------------------------------------------------------------------------

def base_config(args: argparse.Namespace) -> tuple[Config | None, list[str]]:
    """The base config the flags describe, or None and every problem with them."""
    base = DEFAULTS
    if args.preset is not None:
        if args.preset not in PRESETS:
            return None, [f"unknown preset '{args.preset}'; choose one of {', '.join(PRESETS)}"]
        base = PRESETS[args.preset].config()
    given = {name: getattr(args, name) for name in SPECS if hasattr(args, name)}
    config, problems = parse_values(given, base)
    return config, [f"{flag(p.field)}: {p.message}" for p in problems]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    console, err = consoles()
    if args.list_presets:
        print_presets(console)
        return ExitStatus.SUCCESS
    # Every problem is found before anything starts, and all are said at once: the base
    # config's, each --vary value's, each run's, the cluster's address, the output, the data.
    base, problems = base_config(args)
    runs = []
    try:
        runs = plan_sweep(base or DEFAULTS, args.vary)
    except SweepError as error:
        # With a bad base, only the values themselves can be judged, not the runs they make.
        problems += [p for p in error.problems if base is not None or p.startswith("--vary")
                     or p.startswith("nothing to vary")]
    if args.plot and runs:
        problem = check_plottable([run.config for run in runs])
        if problem is not None:
            problems.append(f"--plot: {problem}")
    name = default_name() if args.name is None else args.name.strip()
    if not name:
        problems.append("--name needs a name")
    scheduler = scheduler_address(args.scheduler)
    if scheduler is not None:
        wrong = check_address(scheduler)
        if wrong is not None:
            problems.append(wrong if args.scheduler else f"${SCHEDULER_ENV}: {wrong}")
    if scheduler is not None and args.workers is not None:
        problems.append("--workers sets the size of a local cluster; a cluster given with "
                        "--scheduler (or $NNTUI_DASK_SCHEDULER) has its own workers: drop one")
    problem = json_problem(args.json)
    if problem is not None:
        problems.append(problem)
    if scheduler is None:
        # The runs train on this machine, in processes started here: their data must be here,
        # and a relative --data-dir means the same folder to every worker.
        if args.data_dir is not None:
            args.data_dir = os.path.abspath(os.path.expanduser(args.data_dir))
        problems += check_data(runs, args.data_dir)
    if problems:
        return usage_error(err, problems)
    return sweep_command(name, runs, args, scheduler, console, err)


def sweep_command(name: str, runs: Sequence[SweepRun], args: argparse.Namespace,
                  scheduler: str | None, console: Console, err: Console) -> int:
    control = Control()

    def warn(message: str) -> None:
        err.print(f"nntui: warning: {message}", highlight=False)

    def heard(signal_name: str) -> None:
        display.signal_name = signal_name

    def ready() -> None:
        if not args.quiet and not in_process:
            console.print(f"Training on {executor.address} (ready in "
                          f"{executor.started_in:.1f}s)", highlight=False)

    history = open_history(args.runs_db, warn)
    if args.name is None:  # not the group of a sweep started earlier in the same second
        name = default_name(taken=groups_in(history))
    sweep = Sweep(name, runs, history=history, control=control, data_dir=args.data_dir,
                  warn=warn)
    display = SweepDisplay(console, sweep, args.quiet)
    sweep.on_result = display.on_result
    in_process = scheduler is None and args.workers == 0
    executor: Executor = InProcess() if in_process else DaskExecutor(
        workers=args.workers, scheduler=scheduler, timeout=args.timeout)
    signals = StopOnSignals(control, heard)
    with signals:  # from before the first line: a signal once it is read is obeyed
        if not args.quiet:
            where = ("one after another in this process" if in_process else
                     f"on the Dask cluster at {scheduler}" if scheduler else
                     "on a local Dask cluster")
            console.print(Text.assemble(("Sweep ", "bold"), (name, "bold cyan"),
                                        f": {len(runs)} runs {where}"), highlight=False)
        if scheduler is None:
            for note in workers_notes(args.workers, len(runs)):
                warn(note)
        trained = train(sweep, executor, signals, err, PROG, display=display, ready=ready)
    if history is not None:
        history.close()
    if not trained:
        return ExitStatus.ERROR  # the cluster could not be used: nothing ran
    signal_name = signals.name
    console.print(final_table(sweep))
    skipped = sum(r.state == RunStatus.NOT_RUN for r in sweep.results)
    if skipped:
        by = f" by {signal_name}" if signal_name else ""
        console.print(f"Stopped{by}: {skipped} run{'s' if skipped != 1 else ''} not run.",
                      highlight=False)
    if history is not None and any(r.run_id is not None for r in sweep.results):
        console.print(f"Recorded in the run history as group '{name}' "
                      f"(nntui runs lists them).", highlight=False)
    for result in sweep.results:
        if result.state in ("diverged", "failed") and result.ended is not None:
            err.print(f"nntui: {result.label}: {result.ended.message}", highlight=False)
    written = args.json is None or write_json(
        args.json, {"sweep": name, "runs": [result.as_record() for result in sweep.results]},
        "Sweep", console, err)
    if args.plot:
        plot_results(sweep, console)
    return exit_status(signals, (r.state for r in sweep.results), written)
