"""``nntui compare``: one of the books' comparisons, its variants trained one after another.

    nntui compare NAME [--plot] [--epochs N] [--runs-db PATH] [--data-dir DIR] [--json FILE]
                       [--quiet] [--workers N | --scheduler ADDRESS]
    nntui compare --list

The variants are a sweep (:mod:`nntui.studies.sweep`): by default they train one after another in
this process (a comparison has two to four runs, and its tiny ones, the neuron's, take less time
than starting a cluster); ``--workers N`` trains them side by side on a local Dask cluster of N
worker processes, ``--scheduler ADDRESS`` on an existing one. One line is printed as each variant
ends (with a progress bar on a terminal), then one table of all of them, and with ``--plot`` their
curves on one plot and, where the variants differ in one field or two, each one's best held-out
accuracy and final training cost against that field's value (:mod:`nntui.studies.against`).
Every run is recorded in the run history with the comparison's name as its group and the
variant's label as its name.  Ctrl+C, SIGTERM and SIGHUP stop the variant running,
skip the rest and still print what ran, as ``nntui train`` does.  Exit codes: 0 when every variant
ran (a diverging one is a result, and is shown as such), 1 when one failed or the ``--json`` file
could not be written, 2 for a usage error (an unknown comparison), 128 + the signal's number when a
signal stopped it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from nntui.cli.arguments import (
    add_location_arguments,
    consoles,
    print_comparisons,
    seconds_value,
    workers_value,
)
from nntui.cli.study import exit_status, json_problem, train, workers_notes, write_json
from nntui.config import SPECS, parse_field
from nntui.engine import BatchProgress, Control, EpochReport
from nntui.insight.saturation import SaturationReport
from nntui.render.against import plot_in_terminal
from nntui.render.saturation import percent as share
from nntui.render.styles import STATUS_STYLES
from nntui.runner.lifecycle import RunEnded, RunObserver, RunStarted, open_history
from nntui.runner.signals import StopOnSignals
from nntui.status import ExitStatus
from nntui.studies.against import AgainstError, against, from_results
from nntui.studies.comparisons import COMPARISONS, Comparison
from nntui.studies.dask_executor import CONNECT_TIMEOUT, DaskExecutor, check_address
from nntui.studies.plan import SweepRun
from nntui.studies.results import (
    MISSING,
    VariantResult,
    best_text,
    cost_text,
    held_out_heading,
    held_out_of,
    outcome_words,
    percent,
)
from nntui.studies.sweep import Executor, InProcess, Sweep

PROG = "nntui compare"


class UsageError(Exception):
    """A mistake on the command line; exit 2 with the message."""


# --- arguments ---------------------------------------------------------------------------------

def epochs_value(text: str) -> int:
    try:
        return parse_field("epochs", text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run one of the books' comparisons: its variants (e.g. three learning "
                    "rates) are trained one after another, recorded in the run history under "
                    "the comparison's name, and summed up in one table.",
        epilog="Exit codes: 0 when every variant ran (a diverging variant is a result), 1 when "
               "one failed or --json could not be written, 2 for a usage error, 130 / 143 / "
               "129 when Ctrl+C, SIGTERM or SIGHUP stopped it (what ran is still recorded and "
               "summed up).")
    parser.add_argument("name", nargs="?", metavar="NAME",
                        help="the comparison to run; see --list")
    parser.add_argument("--list", action="store_true", help="list the comparisons and exit")
    parser.add_argument("--plot", action="store_true",
                        help="draw the variants' curves on one plot afterwards, and their "
                             "results against the field they vary")
    parser.add_argument("--epochs", type=epochs_value, metavar="N",
                        help="train every variant for N epochs instead of its own, for a quick "
                             f"look [{SPECS['epochs'].describe_range()}]")
    add_location_arguments(parser)
    parser.add_argument("--json", metavar="FILE",
                        help="write every variant's config, outcome and epochs as JSON (also "
                             "when stopped)")
    parser.add_argument("--quiet", action="store_true", help="print only the summary table")
    where = parser.add_argument_group("where the variants train (default: one after another, "
                                      "in this process)")
    where.add_argument("--workers", type=workers_value, metavar="N",
                       help="train the variants side by side on a local Dask cluster of N "
                            "worker processes (0: one after another, in this process)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="train them on the Dask cluster of this scheduler, e.g. "
                            "tcp://10.0.0.5:8786 (its workers need nntui)")
    where.add_argument("--timeout", type=seconds_value, default=CONNECT_TIMEOUT, metavar="SECONDS",
                       help=f"how long to try to reach the scheduler [default "
                            f"{CONNECT_TIMEOUT:g}]")
    return parser


# --- progress ----------------------------------------------------------------------------------

class ComparisonPrinter:
    """Prints a line as each variant ends; on a terminal, a bar over all the variants' epochs
    (only when they train one after another: ``bar``)."""

    def __init__(self, console: Console, runs: Sequence[SweepRun], quiet: bool,
                 bar: bool = True):
        self.console = console
        self.runs = list(runs)
        self.quiet = quiet
        self.bar = bar
        self.signal_name = ""
        self.offset = 0  # epochs of the variants before the running one
        self.progress: Progress | None = None
        self.task = None
        self.saturation: dict[int, list[SaturationReport]] = {}  # each variant's epochs' ends

    def __enter__(self) -> ComparisonPrinter:
        if self.console.is_terminal and not self.quiet and self.bar:
            self.progress = Progress(
                TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[epoch]}"),
                TimeElapsedColumn(), TextColumn("{task.fields[cost]}"),
                console=self.console, transient=True)
            self.progress.start()
            total = sum(run.config.epochs for run in self.runs)
            self.task = self.progress.add_task("", total=total, epoch="", cost="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def observers(self, run: SweepRun) -> list[RunObserver]:
        """What follows the variant ``run``: its saturated neurons, and the bar (if any)."""
        keeper = _SaturationKeeper(self.saturation.setdefault(run.index, []))
        if self.progress is None or self.task is None:
            return [keeper]
        return [keeper, _VariantBar(self.progress, self.task, self.offset,
                                    f"[{run.index + 1}/{len(self.runs)}] {run.label}",
                                    run.config.epochs)]

    def on_result(self, index: int, result: VariantResult) -> None:
        self.offset += result.config.epochs
        if self.quiet or result.ended is None:
            return
        style = STATUS_STYLES.get(result.status, "")
        line = Text(f"[{index + 1}/{len(self.runs)}] ", "dim")
        line.append(result.label, "bold")
        line.append(": ")
        line.append(outcome_words(result, self.signal_name), style)
        self.console.print(line, highlight=False)


class _SaturationKeeper(RunObserver):
    """Keeps a variant's saturation reports of its epochs' ends (a new attempt starts over)."""

    def __init__(self, reports: list[SaturationReport]) -> None:
        self.reports = reports
        self.reports.clear()

    def on_saturation(self, report: SaturationReport) -> None:
        if report.at_epoch_end:
            self.reports.append(report)


class _VariantBar(RunObserver):
    """One variant's run on the comparison's bar: its epochs after the ``offset`` of those
    before it."""

    def __init__(self, progress: Progress, task: TaskID, offset: int, where: str,
                 epochs: int) -> None:
        self.progress, self.task, self.offset = progress, task, offset
        self.where, self.epochs = where, epochs

    def on_run_start(self, started: RunStarted) -> None:
        self.progress.update(self.task, description=self.where, completed=self.offset,
                             epoch=f"epoch 1/{self.epochs}", cost="")

    def on_progress(self, progress: BatchProgress) -> None:
        done = progress.epoch - 1 + progress.batch / max(progress.batches, 1)
        self.progress.update(self.task, description=self.where, completed=self.offset + done,
                             epoch=f"epoch {progress.epoch}/{progress.epochs}",
                             cost=f"loss {progress.running_cost:.4f}")

    def on_epoch(self, report: EpochReport) -> None:
        self.progress.update(self.task, completed=self.offset + report.epoch,
                             epoch=f"epoch {report.epoch}/{report.epochs}")

    def on_run_end(self, ended: RunEnded) -> None:
        self.progress.update(self.task, completed=self.offset + self.epochs)


# --- the summary -------------------------------------------------------------------------------

def summary_table(comparison: Comparison, results: Sequence[VariantResult],
                  epochs: int | None) -> Table:
    """One row per variant: how it ended, its best held-out accuracy (and the epoch of it), its
    last training cost, its test accuracy at the end and its time; for the neuron, its output a
    at the start and the end instead of the accuracies."""
    title = comparison.title
    if epochs is not None:
        title += f" — every variant cut to {epochs} epoch{'s' if epochs != 1 else ''} (--epochs)"
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  collapse_padding=True)
    table.add_column("variant", style="bold", min_width=10)
    table.add_column("status", min_width=9)
    table.add_column("epochs", justify="right", no_wrap=True)
    neuron = comparison.plot == "output"
    if neuron:
        table.add_column("output a", justify="right", no_wrap=True)
        table.add_column("final\ncost", justify="right", no_wrap=True)
    else:
        held = held_out_heading(r.config for r in results)
        table.add_column(f"best {held}\n(epoch)", justify="right", no_wrap=True)
        table.add_column("training\ncost", justify="right", no_wrap=True)
        table.add_column("test\naccuracy", justify="right", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    for result in results:
        ended = result.ended
        status = Text(result.status, STATUS_STYLES.get(result.status, ""))
        if ended is None:
            blank = [MISSING] * (3 if neuron else 4)
            table.add_row(result.label, status, f"0/{result.config.epochs}", *blank)
            continue
        epochs_text = f"{ended.epochs_run}/{result.config.epochs}"
        cost = cost_text(result.final_cost)
        if neuron:
            output = (f"{result.outputs[0][1]:.3f} → {result.outputs[-1][1]:.3f}"
                      if result.outputs else MISSING)
            numbers = [output, cost]
        else:
            numbers = [best_text(ended), cost, percent(ended.test_accuracy)]
        table.add_row(result.label, status, epochs_text, *numbers, f"{ended.seconds:.1f}s")
    return table


def saturation_table(results: Sequence[VariantResult],
                     saturation: dict[int, list[SaturationReport]]) -> Table | None:
    """Per variant, its first layer's spread of z (the standard deviation over the sampled
    training inputs and the layer's units) and its saturated or dead fraction, before training
    and at the end: Nielsen's argument for normalized weights in figures.  None when no variant
    was measured."""
    rows = []
    for index, result in enumerate(results):
        reports = saturation.get(index) or []
        if reports and reports[0].layers:
            rows.append((result.label, reports[0].layers[0], reports[-1].layers[0]))
    if not rows:
        return None
    first = rows[0][1]
    title = (f"Weighted inputs z of {first.name} on {saturation_sample(saturation):,} training "
             f"inputs")
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  collapse_padding=True, title_justify="left")
    table.add_column("variant", style="bold", min_width=10)
    table.add_column("z spread σ\nstart → end", justify="right", no_wrap=True)
    table.add_column("saturated or dead\nstart → end", justify="right", no_wrap=True)
    for label, start, end in rows:
        word = {"saturated": "saturated", "dead": "dead"}.get(start.measure, "")
        table.add_row(label, f"{start.z_std:.3g} → {end.z_std:.3g}",
                      f"{share(start.fraction)} → {share(end.fraction)} {word}".strip())
    return table


def saturation_sample(saturation: dict[int, list[SaturationReport]]) -> int:
    return max((r[0].sample for r in saturation.values() if r), default=0)


def plot_results(comparison: Comparison, results: Sequence[VariantResult],
                 console: Console) -> bool:
    """The comparison's curve for every variant that has one; False when none has."""
    from nntui.render.plots import (
        OVERLAY_AXES,
        held_out_word,
        output_series,
        overlay_series,
        overlay_titles,
        plot_overlay_in_terminal,
        regularization_term,
    )

    ran = [r for r in results if r.history or r.outputs]
    if not ran:
        return False
    if comparison.plot == "output":
        series = output_series([(r.label, r.outputs) for r in ran])
    else:
        series = overlay_series([(r.label, r.history) for r in ran], comparison.plot)
    held = held_out_word([held_out_of(r.config) for r in ran])
    terms = [regularization_term(r.config) for r in ran]
    plot_overlay_in_terminal(series, overlay_titles(comparison.plot, held, terms), console,
                             axis=OVERLAY_AXES[comparison.plot])
    return True


def plot_against(comparison: Comparison, results: Sequence[VariantResult],
                 console: Console) -> None:
    """The variants' best held-out accuracy and final training cost against the field they
    vary, or why the comparison has no such plot (its variants differ in more than two
    fields, as the shallow and the intermediate net do)."""
    try:
        figure = against(from_results(results), source=comparison.name)
    except AgainstError as error:
        console.print(f"No plot against a hyperparameter: {error}.", highlight=False)
        return
    plot_in_terminal(figure, console)


def record_data(comparison: Comparison, results: Sequence[VariantResult],
                epochs: int | None) -> dict:
    """The ``--json`` record: the comparison and every variant, with its epochs."""
    variants = []
    for result in results:
        ended = result.ended
        variants.append({
            "label": result.label,
            "status": result.status,
            "message": "" if ended is None else ended.message,
            "run_id": result.run_id,
            "config": result.config.to_dict(),
            "epochs_run": 0 if ended is None else ended.epochs_run,
            "best_val_accuracy": None if ended is None else ended.best_val_accuracy,
            "best_epoch": None if ended is None or ended.best_val_accuracy is None
            else ended.best_epoch,
            "test_accuracy": None if ended is None else ended.test_accuracy,
            "seconds": None if ended is None else ended.seconds,
            "history": [report.as_dict() for report in result.history],
            "outputs": [[epoch, a] for epoch, a in result.outputs],
        })
    return {"comparison": comparison.name, "title": comparison.title, "plot": comparison.plot,
            "epochs": epochs, "variants": variants}


# --- the command -------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    console, err = consoles()
    if args.list:
        print_comparisons(console)
        return ExitStatus.SUCCESS
    names = ", ".join(COMPARISONS)
    if args.name is None:
        parser.exit(ExitStatus.USAGE, f"{PROG}: error: name a comparison: {names} "
                                      f"(or --list to see what each shows)\n")
    if args.name not in COMPARISONS:
        parser.exit(ExitStatus.USAGE, f"{PROG}: error: unknown comparison '{args.name}'; "
                                      f"choose one of {names}\n")
    problem = json_problem(args.json)
    if problem is not None:
        err.print(f"{PROG}: error: {problem}", highlight=False)
        return ExitStatus.USAGE
    if args.scheduler is not None and args.scheduler.strip():
        wrong = check_address(args.scheduler.strip())
        if wrong is not None:
            err.print(f"{PROG}: error: {wrong}", highlight=False)
            return ExitStatus.USAGE
    return compare_command(COMPARISONS[args.name], args, console, err)


def compare_command(comparison: Comparison, args: argparse.Namespace, console: Console,
                    err: Console) -> int:
    control = Control()

    def heard(name: str) -> None:
        printer.signal_name = name

    def warn(message: str) -> None:
        err.print(f"nntui: warning: {message}", highlight=False)

    runs = comparison.runs(args.epochs)
    scheduler = args.scheduler.strip() if args.scheduler and args.scheduler.strip() else None
    in_process = scheduler is None and not args.workers
    history = open_history(args.runs_db, warn)
    printer = ComparisonPrinter(console, runs, args.quiet, bar=in_process)
    sweep = Sweep(comparison.name, runs, history=history, control=control,
                  data_dir=args.data_dir, warn=warn, observers_for=printer.observers,
                  on_result=lambda result: printer.on_result(result.run.index,
                                                             VariantResult.of(result)))
    executor: Executor = InProcess() if in_process else DaskExecutor(
        workers=args.workers or None, scheduler=scheduler, timeout=args.timeout)
    signals = StopOnSignals(control, heard)
    with signals:  # from before the first line: a signal once it is read is obeyed
        if not args.quiet:
            how = "one after another" if in_process else "side by side on Dask"
            console.print(Text.assemble((comparison.title, "bold"),
                                        f": {len(runs)} runs, {how}"), highlight=False)
            console.print(Text.assemble(("Watch: ", "bold"), comparison.watch),
                          highlight=False)
        if scheduler is None:
            for note in workers_notes(args.workers, len(runs)):
                warn(note)
        trained = train(sweep, executor, signals, err, PROG, display=printer)
    if history is not None:
        history.close()
    if not trained:
        return ExitStatus.ERROR
    signal_name = signals.name
    results = [VariantResult.of(result) for result in sweep.results]
    console.print(summary_table(comparison, results, args.epochs))
    spread = None if comparison.plot == "output" else saturation_table(results,
                                                                        printer.saturation)
    if spread is not None:
        console.print(spread)
    skipped = sum(r.ended is None for r in results)
    if skipped:
        console.print(f"Stopped by {signal_name}: {skipped} variant"
                      f"{'s' if skipped != 1 else ''} not run.", highlight=False)
    if history is not None and any(r.run_id is not None for r in results):
        console.print(f"Recorded in the run history as group '{comparison.name}' "
                      f"(nntui runs list).", highlight=False)
    for result in results:
        if result.status in ("diverged", "failed"):
            err.print(f"nntui: {result.label}: {result.ended.message}", highlight=False)
    written = args.json is None or write_json(
        args.json, record_data(comparison, results, args.epochs), "Comparison", console, err)
    if args.plot and not plot_results(comparison, results, console):
        console.print("Nothing to plot: no variant finished an epoch.", highlight=False)
    elif args.plot:
        plot_against(comparison, results, console)
    return exit_status(signals, (r.status for r in results), written)
