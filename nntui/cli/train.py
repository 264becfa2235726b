"""``nntui train``: train one network headless and print Keras-like progress.

The run goes the one way every run goes (:class:`~nntui.runner.lifecycle.Run`); this module adds
the observers a terminal wants: a progress bar (plain lines when piped), the books' hints, the
``--json`` record and the run history.  Ctrl+C, SIGTERM and SIGHUP stop the run after its
mini-batch; it is recorded and summed up, and the exit status says which signal it was.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from nntui.cli.arguments import (
    add_config_arguments,
    config_from_args,
    consoles,
    loaded_or_exit,
    print_presets,
)
from nntui.config import DEFAULTS, Config, describe
from nntui.engine import BatchProgress, Control, EpochReport, Network
from nntui.insight.saturation import SaturationReport
from nntui.render.saturation import fraction_line, legend_line
from nntui.runner.hints import HintObserver
from nntui.runner.lifecycle import (
    HistoryRecorder,
    JsonRecord,
    Run,
    RunEnded,
    RunObserver,
    RunStarted,
    open_history,
)
from nntui.runner.signals import Interrupted, StopOnSignals
from nntui.status import ExitStatus, RunStatus
from nntui.storage.errors import RunFileError
from nntui.storage.networks import save_network
from nntui.storage.records import runs_dir
from nntui.storage.safe_write import check_writable


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui train",
        description="Train a network headless and print Keras-like progress.",
    )
    add_config_arguments(parser)
    out = parser.add_argument_group("output")
    out.add_argument("--json", metavar="PATH", help="write config and per-epoch history as "
                     "JSON (also when stopped with Ctrl+C)")
    out.add_argument("--save", metavar="PATH", help="save the trained network (.npz or .json)")
    out.add_argument("--load", metavar="PATH",
                     help="train on from a saved network (.npz or .json): its config is the "
                          "starting point, other flags change it (not its layers)")
    out.add_argument("--plot", action="store_true",
                     help="draw cost, accuracy and learning speed in the terminal afterwards")
    out.add_argument("--quiet", action="store_true", help="print only the final summary")
    out.add_argument("--confusion", action="store_true",
                     help="print the confusion matrix of the test set at the end")
    return parser


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console, _ = consoles()
    if args.list_presets:
        print_presets(console)
        return ExitStatus.SUCCESS
    loaded = loaded_or_exit(parser, args.load)
    config = config_from_args(parser, args, DEFAULTS if loaded is None else loaded[0])
    return train_command(config, args, console, None if loaded is None else loaded[1])


def epoch_line(report: EpochReport, batches: int) -> str:
    """The Keras-style summary of one epoch (accuracies as fractions, like Keras)."""
    parts = [f"{batches}/{batches}", f"{report.seconds:.1f}s"]
    if report.train_cost is not None:
        parts += [f"loss: {report.train_cost:.4f}", f"accuracy: {report.train_accuracy:.4f}"]
    parts += [f"val_loss: {report.val_cost:.4f}", f"val_accuracy: {report.val_accuracy:.4f}"]
    parts.append("speed: " + " ".join(f"{s:.2e}" for s in report.learning_speed))
    line = " - ".join(parts)
    if report.notes:
        line += "  (" + "; ".join(report.notes) + ")"
    return line


class TrainingPrinter(RunObserver):
    """Observer that prints progress: a Rich bar on a terminal, plain lines otherwise."""

    def __init__(self, console: Console, quiet: bool):
        self.console = console
        self.batches = 0  # mini-batches per epoch, known once the run starts
        self.quiet = quiet
        self.progress: Progress | None = None
        self.task = None

    def __enter__(self) -> TrainingPrinter:
        if self.console.is_terminal and not self.quiet:
            self.progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TextColumn("{task.fields[cost]}"),
                console=self.console, transient=True,
            )
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def on_run_start(self, started: RunStarted) -> None:
        self.batches = started.batches
        if not self.quiet:
            config = started.config
            self.console.print(f"[bold]{describe(config)}[/] - {config.epochs} epochs",
                               highlight=False)
            held_out = "test" if started.held_out == "test" else "validation"
            self.console.print(f"{started.description}: {started.n_train:,} training examples, "
                               f"measured on the {held_out} set", highlight=False)

    def on_saturation(self, report: SaturationReport) -> None:
        """The fractions of saturated (or dead) units per layer: before training, with what they
        count, and after each epoch's line."""
        if self.quiet or not report.at_epoch_end:
            return
        line = fraction_line(report)
        if not line:  # linear layers only: nothing can saturate
            return
        if report.epoch == 0:
            self.console.print(f"Units: {legend_line(report)}", highlight=False)
            line = f"before training, {line}"
        self.console.print(line, highlight=False)

    def on_progress(self, progress: BatchProgress) -> None:
        if self.progress is None:  # quiet, or not a terminal
            return
        description = f"Epoch {progress.epoch}/{progress.epochs}"
        if self.task is None:
            self.task = self.progress.add_task(description, total=progress.batches, cost="")
        self.progress.update(self.task, description=description, total=progress.batches,
                             completed=progress.batch, cost=f"loss: {progress.running_cost:.4f}")

    def on_epoch(self, report: EpochReport) -> None:
        if self.quiet:
            return
        self.console.print(f"Epoch {report.epoch}/{report.epochs}", highlight=False)
        self.console.print(epoch_line(report, self.batches), highlight=False)
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=0, cost="")


def check_outputs(args: argparse.Namespace) -> str | None:
    """What is wrong with the output paths, found before any training (None if nothing)."""
    json_path, save_path = args.json, args.save
    for value, option in ((json_path, "--json"), (save_path, "--save")):
        if value is not None and not str(value).strip():
            return f"{option} needs a file name"
    if json_path and save_path and Path(json_path).resolve() == Path(save_path).resolve():
        return "--json and --save name the same file; the network would overwrite the record"
    try:
        if json_path:
            check_writable(json_path, "run record")
        if save_path:
            check_writable(save_path, "network")
    except RunFileError as error:
        return str(error)
    return None


def train_command(config: Config, args: argparse.Namespace, console: Console,
                  network: Network | None = None) -> int:
    """Train ``config`` headless (on from ``network``'s weights when given) and report."""
    _, err = consoles()
    problem = check_outputs(args)
    if problem is not None:
        err.print(f"nntui train: error: {problem}", highlight=False)
        return ExitStatus.USAGE
    control = Control()

    def warn(message: str) -> None:
        err.print(f"nntui: warning: {message}", highlight=False)

    record = JsonRecord(config, args.json, warn) if args.json else None
    history = open_history(args.runs_db, warn)
    signals = StopOnSignals(control)
    try:
        with signals, TrainingPrinter(console, args.quiet) as printer:
            observers: list[RunObserver] = [printer]
            if not args.quiet:  # the books' rules of thumb, as the app gives them
                observers.append(HintObserver(  # advice, wrapped at words on a terminal
                    lambda hint: console.print(Text(str(hint), style="yellow"),
                                               soft_wrap=not console.is_terminal),
                    data_dir=args.data_dir, eta_keys=None))
            if record is not None:
                observers.append(record)
            if history is not None:
                observers.append(HistoryRecorder(history, config, warn))
            run = Run(config, observers=observers, control=control, data_dir=args.data_dir,
                      network=network)
            try:
                ended = run.execute()
            except Interrupted:
                ended = None
    finally:
        if history is not None:
            history.close()
    signal_name = signals.name
    if ended is None:  # a second signal: keep what the record has, say so, and go
        err.print(f"nntui: stopped at once by a second {signal_name}", highlight=False)
        if record is not None and not record.failed:
            record.on_run_end(RunEnded(status=RunStatus.STOPPED,
                                       message=f"stopped at once by a second {signal_name}"))
            if record.written:
                console.print(f"History written to {os.fspath(args.json)}", highlight=False)
        return signals.exit_code or ExitStatus.ERROR
    code = ExitStatus.SUCCESS
    if ended.network is not None and args.save and ended.epochs_run:
        code = save_or_rescue(ended.network, config, args.save, console, err)
    summarize(console, ended, signal_name)
    if args.confusion and ended.network is not None and ended.epochs_run:
        code = print_test_confusion(config, ended.network, args.data_dir, console, err) or code
    if record is not None and record.written:
        console.print(f"History written to {os.fspath(args.json)}", highlight=False)
    elif record is not None:
        code = ExitStatus.ERROR
    if ended.status.failed:
        err.print(f"nntui: {ended.message}", highlight=False)
        return ExitStatus.ERROR
    if args.plot and run.history:
        from nntui.render.plots import plot_history_in_terminal, regularization_term

        plot_history_in_terminal(run.history, console, held_out=config.validate_on,
                                 term=regularization_term(config))
    return signals.exit_code or code


def save_or_rescue(network, config: Config, path: str, console: Console, err: Console) -> int:
    """Save the trained network where asked; if that fails at the end (a full disk), keep it in
    the user's data folder and say where.  Returns the exit code this leaves."""
    try:
        saved = save_network(path, network, config)
    except RunFileError as error:
        err.print(f"nntui: {error}", highlight=False)
        rescue = runs_dir() / f"rescued-{time.strftime('%Y%m%d-%H%M%S')}.npz"
        try:
            saved = save_network(rescue, network, config)
        except RunFileError as again:
            err.print(f"nntui: the network could not be kept anywhere: {again}", highlight=False)
            return ExitStatus.ERROR
        err.print(f"nntui: the network was saved to {saved} instead", highlight=False)
        return ExitStatus.ERROR
    console.print(f"Saved the network to {saved}", highlight=False)
    return ExitStatus.SUCCESS


def print_test_confusion(config: Config, network: Network, data_dir: str | None,
                         console: Console, err: Console) -> int:
    """``--confusion``: the trained network's confusion matrix on the test set; 1 if the data
    cannot be loaded again to measure it."""
    from nntui.cli.inspect import print_confusion
    from nntui.datasets import DatasetError
    from nntui.insight.inspection import confusion_of, predict
    from nntui.runner.experiment import load_data

    try:
        test = load_data(config.replace(train_size=1), data_dir).test  # the test set only
        answers = predict(network, test.x, test.labels)
    except (DatasetError, ValueError) as error:
        err.print(f"nntui: the confusion matrix could not be measured: {error}", highlight=False)
        return ExitStatus.ERROR
    print_confusion(console, confusion_of(answers), "Confusion matrix, test set")
    return ExitStatus.SUCCESS


def summarize(console: Console, ended: RunEnded, signal_name: str) -> None:
    if ended.status.failed:
        return
    parts = []
    if ended.status is RunStatus.STOPPED:
        by = f" by {signal_name}" if signal_name else ""
        parts.append(f"Stopped{by} {ended.detail}".rstrip())
    elif ended.status is not RunStatus.COMPLETED:
        parts.append(f"Stopped early ({ended.status}: {ended.detail})")
    if ended.best_epoch and ended.best_val_accuracy is not None:
        parts.append(f"best val_accuracy {ended.best_val_accuracy:.4f} "
                     f"at epoch {ended.best_epoch}")
    if ended.test_accuracy is not None and not math.isnan(ended.test_accuracy):
        parts.append(f"test_accuracy {ended.test_accuracy:.4f}")
    parts.append(f"{ended.seconds:.1f}s")
    console.print(" - ".join(parts), highlight=False)


