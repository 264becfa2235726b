"""The command line: ``nntui`` opens the app, ``nntui train`` trains headless.

Both take the same hyperparameter flags, generated from :data:`nntui.config.SPECS`, so every flag
has the help, range and validation of the form field it mirrors.  Bad values end the program with
exit code 2 and one line saying what to change; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import time
from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .config import DEFAULTS, PRESETS, SPECS, Config, describe, format_value, parse_values
from .datasets import DatasetError
from .engine import BatchProgress, Control, EpochReport, Event, Failed, Finished
from .experiment import build_trainer, load_data, measure_test_accuracy
from .runs import RunFileError, RunRecord, save_network

USAGE_ERROR = 2
INTERRUPTED = 130  # the shell's code for a program ended by Ctrl+C (128 + SIGINT)

# DEFAULTS is Nielsen's chapter 3 network with L2 regularization, the nielsen-l2 preset (a test
# keeps the two equal); his unregularized baseline is the nielsen-baseline preset.
DEFAULTS_TITLE = ("hyperparameters (defaults: Nielsen's ch. 3 network with L2, λ = 5 — "
                  "the nielsen-l2 preset)")


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per hyperparameter, plus --preset, --list-presets and --data-dir."""
    group = parser.add_argument_group(DEFAULTS_TITLE)
    for spec in SPECS.values():
        default = format_value(spec.name, getattr(DEFAULTS, spec.name))
        group.add_argument(
            flag(spec.name), dest=spec.name, default=argparse.SUPPRESS, metavar="VALUE"
            if spec.kind != "choice" else "{" + ",".join(spec.choices) + "}",
            help=f"{spec.help} [{spec.describe_range()}; default {default}]".replace("%", "%%"),
        )
    parser.add_argument("--preset", metavar="NAME",
                        help="start from one of the books' experiments (see --list-presets); "
                             "other flags override it")
    parser.add_argument("--list-presets", action="store_true", help="list the presets and exit")
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="folder with the MNIST IDX files (default: $NNTUI_DATA_DIR or the "
                             "copy bundled with nntui)")


def config_from_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Config:
    """The config the flags describe, or exit 2 naming every bad flag."""
    base = DEFAULTS
    if args.preset is not None:
        if args.preset not in PRESETS:
            parser.exit(USAGE_ERROR, f"nntui: error: unknown preset '{args.preset}'; choose one "
                                     f"of {', '.join(PRESETS)}\n")
        base = PRESETS[args.preset].config()
    given = {name: getattr(args, name) for name in SPECS if hasattr(args, name)}
    config, problems = parse_values(given, base)
    if config is None:
        reasons = "; ".join(f"{flag(p.field)}: {p.message}" for p in problems)
        parser.exit(USAGE_ERROR, f"nntui: error: {reasons}\n")
    return config


def print_presets(console: Console) -> None:
    table = Table(title="Presets: the books' experiments", show_lines=False)
    table.add_column("name", style="bold cyan", no_wrap=True)
    table.add_column("experiment")
    for preset in PRESETS.values():
        table.add_row(preset.name, f"[bold]{preset.title}[/]\n{preset.description}")
    console.print(table)
    console.print("Use one with [bold]nntui --preset NAME[/] or "
                  "[bold]nntui train --preset NAME[/].")


def build_parser(train: bool) -> argparse.ArgumentParser:
    if train:
        parser = argparse.ArgumentParser(
            prog="nntui train",
            description="Train a network headless and print Keras-like progress.",
        )
    else:
        parser = argparse.ArgumentParser(
            prog="nntui",
            description="A terminal laboratory for neural networks. 'nntui' opens the app; "
                        "'nntui train' trains headless (see 'nntui train --help'); 'nntui runs' "
                        "lists, shows, exports and deletes recorded runs (see 'nntui runs "
                        "--help').",
        )
    add_config_arguments(parser)
    if train:
        out = parser.add_argument_group("output")
        out.add_argument("--json", metavar="PATH", help="write config and per-epoch history as "
                         "JSON (also when stopped with Ctrl+C)")
        out.add_argument("--save", metavar="PATH", help="save the trained network (.npz or .json)")
        out.add_argument("--plot", action="store_true",
                         help="draw cost, accuracy and learning speed in the terminal afterwards")
        out.add_argument("--quiet", action="store_true", help="print only the final summary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "runs":
        from . import runs_command  # imported here, like the app, so other commands skip it

        return runs_command.main(argv[1:])
    train = bool(argv) and argv[0] == "train"
    parser = build_parser(train)
    args = parser.parse_args(argv[1:] if train else argv)
    console = Console(soft_wrap=True)
    if args.list_presets:
        print_presets(console)
        return 0
    config = config_from_args(parser, args)
    if train:
        return train_command(config, args, console)
    from .tui.app import NNTuiApp  # imported here so `nntui train` never loads Textual

    NNTuiApp(config=config, data_dir=args.data_dir).run()
    return 0


# --- nntui train ----------------------------------------------------------------------------------

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


class TrainingPrinter:
    """Observer that prints progress: a Rich bar on a terminal, plain lines otherwise."""

    def __init__(self, console: Console, quiet: bool, batches: int):
        self.console = console
        self.batches = batches  # mini-batches per epoch
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

    def __call__(self, event: Event) -> None:
        if self.quiet:
            return
        if isinstance(event, BatchProgress) and self.progress is not None:
            description = f"Epoch {event.epoch}/{event.epochs}"
            if self.task is None:
                self.task = self.progress.add_task(description, total=event.batches, cost="")
            self.progress.update(self.task, description=description, total=event.batches,
                                 completed=event.batch, cost=f"loss: {event.running_cost:.4f}")
        elif isinstance(event, EpochReport):
            self.console.print(f"Epoch {event.epoch}/{event.epochs}", highlight=False)
            self.console.print(epoch_line(event, self.batches), highlight=False)
            if self.task is not None:
                self.progress.update(self.task, completed=0, cost="")


def train_command(config: Config, args: argparse.Namespace, console: Console) -> int:
    err = Console(stderr=True, soft_wrap=True)
    try:
        data = load_data(config, args.data_dir)
    except DatasetError as error:
        err.print(f"nntui: {error}", highlight=False)
        return 1
    if not args.quiet:
        console.print(f"[bold]{describe(config)}[/] - {config.epochs} epochs", highlight=False)
        held_out = "test" if data.validation_is_test else "validation"
        console.print(f"{data.description}: {len(data.train):,} training, "
                      f"{len(data.validation):,} {held_out} examples", highlight=False)
    record = RunRecord(config, args.json)
    control = Control()
    interrupted = False

    def on_interrupt(signum: int, frame: object) -> None:
        nonlocal interrupted
        if interrupted:  # a second Ctrl+C: give up at once
            raise KeyboardInterrupt
        interrupted = True
        control.stop()

    def observer(event: Event) -> None:
        printer(event)
        if isinstance(event, EpochReport):
            try:
                record.add_epoch(event)
            except RunFileError as error:
                err.print(f"nntui: warning: {error}", highlight=False)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    started = time.perf_counter()
    try:
        batches = math.ceil(len(data.train) / config.batch_size)
        with TrainingPrinter(console, args.quiet, batches) as printer:
            trainer = build_trainer(config, data, observer=observer, control=control)
            result = trainer.run()
    finally:
        signal.signal(signal.SIGINT, previous)
    elapsed = time.perf_counter() - started
    network = trainer.network
    test_accuracy = None if result.failed else measure_test_accuracy(network, data)
    status = result.failed and ("diverged" if result.failed.diverged else "failed")
    status = status or ("stopped" if interrupted else result.finished.reason)
    message = result.failed.message if result.failed else result.finished.message
    code = 0
    try:
        record.seconds = elapsed  # the whole run, evaluation included
        record.finish(status, message, test_accuracy)
        if args.save and not result.failed:
            path = save_network(args.save, network, config)
            console.print(f"Saved the network to {path}", highlight=False)
    except RunFileError as error:
        err.print(f"nntui: {error}", highlight=False)
        code = 1
    summarize(console, result, test_accuracy, elapsed, interrupted, args)
    if result.failed:
        err.print(f"nntui: {result.failed.message}", highlight=False)
        return 1
    if args.plot and result.history:
        from .plots import plot_history_in_terminal

        plot_history_in_terminal(result.history, console, held_out=config.validate_on)
    return code or (INTERRUPTED if interrupted else 0)


def summarize(console: Console, result, test_accuracy: float | None, elapsed: float,
              interrupted: bool, args: argparse.Namespace) -> None:
    finished: Finished | None = result.finished
    failed: Failed | None = result.failed
    if failed:
        return
    parts = []
    if interrupted:  # the message says where, e.g. "during epoch 5 after 4,281 of 5,000 ..."
        where = (finished.message if finished.reason == "stopped"
                 else f"after {finished.epochs_run} complete epochs")
        parts.append(f"Stopped by Ctrl+C {where}")
    elif finished.reason != "completed":
        parts.append(f"Stopped early ({finished.reason}: {finished.message})")
    if finished.best_epoch:
        parts.append(f"best val_accuracy {finished.best_val_accuracy:.4f} "
                     f"at epoch {finished.best_epoch}")
    if test_accuracy is not None and not math.isnan(test_accuracy):
        parts.append(f"test_accuracy {test_accuracy:.4f}")
    parts.append(f"{elapsed:.1f}s")
    console.print(" - ".join(parts), highlight=False)
    if args.json:
        console.print(f"History written to {os.fspath(args.json)}", highlight=False)


if __name__ == "__main__":
    raise SystemExit(main())
