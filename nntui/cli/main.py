"""The command line: ``nntui`` opens the app, ``nntui train`` trains headless.

Both take the same hyperparameter flags, generated from :data:`nntui.config.SPECS`, so every flag
has the help, range and validation of the form field it mirrors.  Bad values end the program with
exit code 2 and one line saying what to change; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from nntui.config import DEFAULTS, PRESETS, SPECS, Config, describe, format_value, parse_values
from nntui.engine import BatchProgress, Control, EpochReport, Network
from nntui.runner.hints import HintObserver
from nntui.runner.lifecycle import (
    HistoryRecorder,
    JsonRecord,
    Run,
    RunEnded,
    RunStarted,
    open_history,
)
from nntui.runner.signals import Interrupted, StopOnSignals
from nntui.storage.files import RunFileError, check_writable, load_network, runs_dir, save_network

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
    add_location_arguments(parser)


def add_location_arguments(parser: argparse.ArgumentParser) -> None:
    """--runs-db and --data-dir, the same for every command that trains."""
    parser.add_argument("--runs-db", metavar="PATH", default=None,
                        help="the run history, an SQLite file (default: $NNTUI_RUNS_DB or "
                             "runs.db in the user's data folder); every run is recorded there")
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="folder with the MNIST IDX files (default: $NNTUI_DATA_DIR or the "
                             "copy bundled with nntui)")


def config_from_args(parser: argparse.ArgumentParser, args: argparse.Namespace,
                     base: Config = DEFAULTS) -> Config:
    """The config the flags describe laid over ``base`` (the defaults, or a loaded network's),
    or exit 2 naming every bad flag."""
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
    from nntui.cli.compare import print_comparisons

    print_comparisons(console, full=False)


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
                        "--help'); 'nntui inspect NET.npz' measures a saved network (its "
                        "confusion matrix and most confident mistakes); 'nntui sweep' trains "
                        "many configs at once on Dask (see 'nntui sweep --help').",
        )
    add_config_arguments(parser)
    if train:
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


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "runs":
        # imported here, like the app, so other commands skip it
        from nntui.cli import runs as runs_command

        return runs_command.main(argv[1:])
    if argv and argv[0] == "compare":
        from nntui.cli import compare as compare_command

        return compare_command.main(argv[1:])
    if argv and argv[0] == "sweep":
        from nntui.cli import sweep as sweep_command

        return sweep_command.main(argv[1:])
    if argv and argv[0] == "inspect":
        from nntui.cli import inspect as inspect_command

        return inspect_command.main(argv[1:])
    train = bool(argv) and argv[0] == "train"
    parser = build_parser(train)
    args = parser.parse_args(argv[1:] if train else argv)
    console = Console(soft_wrap=True)
    if args.list_presets:
        print_presets(console)
        return 0
    loaded = None
    if train and args.load is not None:
        try:
            loaded = load_network(args.load)
        except RunFileError as error:
            parser.exit(USAGE_ERROR, f"nntui train: error: --load: {error}\n")
    config = config_from_args(parser, args, DEFAULTS if loaded is None else loaded[0])
    if train:
        return train_command(config, args, console, None if loaded is None else loaded[1])
    from nntui.tui.app import NNTuiApp  # imported here so `nntui train` never loads Textual

    app = NNTuiApp(config=config, data_dir=args.data_dir, runs_db=args.runs_db)
    app.run()
    return app.return_code or 0


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

    def __call__(self, event: object) -> None:
        if isinstance(event, RunStarted):
            self.batches = event.batches
            if not self.quiet:
                config = event.config
                self.console.print(f"[bold]{describe(config)}[/] - {config.epochs} epochs",
                                   highlight=False)
                held_out = "test" if event.held_out == "test" else "validation"
                self.console.print(f"{event.description}: {event.n_train:,} training examples, "
                                   f"measured on the {held_out} set", highlight=False)
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
    err = Console(stderr=True, soft_wrap=True)
    problem = check_outputs(args)
    if problem is not None:
        err.print(f"nntui train: error: {problem}", highlight=False)
        return USAGE_ERROR
    control = Control()

    def warn(message: str) -> None:
        err.print(f"nntui: warning: {message}", highlight=False)

    record = JsonRecord(config, args.json, warn) if args.json else None
    history = open_history(args.runs_db, warn)
    signals = StopOnSignals(control)
    try:
        with signals, TrainingPrinter(console, args.quiet) as printer:
            observers: list = [printer]
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
            record(RunEnded("stopped", f"stopped at once by a second {signal_name}", 0, None,
                            0, None, 0.0, None, None))
            if record.written:
                console.print(f"History written to {os.fspath(args.json)}", highlight=False)
        return signals.exit_code or 1
    code = 0
    if ended.network is not None and args.save and ended.epochs_run:
        code = save_or_rescue(ended.network, config, args.save, console, err)
    summarize(console, ended, signal_name)
    if args.confusion and ended.network is not None and ended.epochs_run:
        code = print_test_confusion(config, ended.network, args.data_dir, console, err) or code
    if record is not None and record.written:
        console.print(f"History written to {os.fspath(args.json)}", highlight=False)
    elif record is not None:
        code = 1
    if ended.status in ("diverged", "failed"):
        err.print(f"nntui: {ended.message}", highlight=False)
        return 1
    if args.plot and run.history:
        from nntui.render.plots import plot_history_in_terminal

        plot_history_in_terminal(run.history, console, held_out=config.validate_on)
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
            return 1
        err.print(f"nntui: the network was saved to {saved} instead", highlight=False)
        return 1
    console.print(f"Saved the network to {saved}", highlight=False)
    return 0


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
        return 1
    print_confusion(console, confusion_of(answers), "Confusion matrix, test set")
    return 0


def summarize(console: Console, ended: RunEnded, signal_name: str) -> None:
    if ended.status in ("diverged", "failed"):
        return
    parts = []
    if ended.status == "stopped":
        by = f" by {signal_name}" if signal_name else ""
        parts.append(f"Stopped{by} {ended.detail}".rstrip())
    elif ended.status != "completed":
        parts.append(f"Stopped early ({ended.status}: {ended.detail})")
    if ended.best_epoch and ended.best_val_accuracy is not None:
        parts.append(f"best val_accuracy {ended.best_val_accuracy:.4f} "
                     f"at epoch {ended.best_epoch}")
    if ended.test_accuracy is not None and not math.isnan(ended.test_accuracy):
        parts.append(f"test_accuracy {ended.test_accuracy:.4f}")
    parts.append(f"{ended.seconds:.1f}s")
    console.print(" - ".join(parts), highlight=False)


if __name__ == "__main__":
    raise SystemExit(main())
