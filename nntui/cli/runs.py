"""``nntui runs``: list, show, export, rename and delete the runs in the run history.

    nntui runs [list] [--json] [--limit N] [--sort date|best]
    nntui runs show ID
    nntui runs export ID [--format csv|json] [-o FILE]
    nntui runs rm ID... [--yes]
    nntui runs rename ID NAME

Every subcommand takes ``--runs-db PATH`` (default ``$NNTUI_RUNS_DB`` or ``runs.db`` in the user's
data folder).  Errors are one line on stderr: exit 2 for a usage error (bad arguments, an unknown
run id, a deletion nobody confirmed, an export to a place nntui does not write: a link, a folder, a
device, a FIFO or a read-only file, refused as ``nntui train --json`` refuses them), 1 when the
history cannot be opened, read or written, or an export fails while it is written.

Everything shown from the history, an old record or a path goes through
:func:`~nntui.render.text.safe` (or :func:`~nntui.render.text.json_safe` for JSON): a history may
be shared, and a name, message or data set in it must never reach the terminal as control
characters.  ``rename`` refuses such characters in a new name, saying which.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from nntui.cli.arguments import whole_number
from nntui.config import SPECS, applies, format_number, format_value
from nntui.insight.saturation import SaturationReport, fractions, reports_from_dicts
from nntui.render.runs import (
    accuracy_lines,
    dataset_label,
    duration,
    epochs_text,
    iso,
    number,
    outcome_text,
    percent,
    when,
)
from nntui.render.saturation import legend_line
from nntui.render.saturation import percent as share
from nntui.render.tables import RUN_COLUMNS, Column, fitted_table, run_cell_style, run_cells
from nntui.render.text import json_safe, refusal, safe
from nntui.status import ExitStatus
from nntui.storage.errors import RunFileError
from nntui.storage.exports import export_run, export_text, format_for
from nntui.storage.history import (
    HistoryError,
    ImportReport,
    RunDetail,
    RunHistory,
    RunSummary,
    UnknownRunError,
    default_path,
    standard_path,
)
from nntui.storage.records import old_runs_dir
from nntui.storage.safe_write import check_writable

PROG = "nntui runs"
EMPTY = "No runs recorded yet; train one with nntui or nntui train"


class UsageError(Exception):
    """A mistake in the command line; exit 2 with the message."""


# --- arguments ---------------------------------------------------------------------------------

def run_id(text: str) -> int:
    try:
        value = int(text.strip().lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{safe(text)}' is not a run id; use the number 'nntui runs' shows in its id column"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{safe(text)}' is not a run id; ids start at 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--runs-db", metavar="PATH", default=argparse.SUPPRESS,
                    help="the run history file (default: $NNTUI_RUNS_DB, else "
                         f"{standard_path()})")
    parser = argparse.ArgumentParser(
        prog=PROG, parents=[db],
        description="The runs nntui has recorded: every run of the app and of 'nntui train' "
                    "lands in one history file. Without a subcommand, lists them.")
    commands = parser.add_subparsers(dest="command", metavar="{list,show,export,rm,rename}")
    listing = commands.add_parser(
        "list", parents=[db], help="list the runs, newest first (the default)",
        description="List the runs: id, start, name or preset, data set, key hyperparameters, "
                    "status, epochs, best held-out accuracy and duration. JSON run records "
                    "left by older versions of nntui are imported the first time.")
    listing.add_argument("--json", action="store_true",
                         help="print a JSON list (one object per run) for scripts")
    listing.add_argument("--limit", type=whole_number(1), metavar="N",
                         help="show only the first N runs")
    listing.add_argument("--sort", choices=("date", "best"), default="date",
                         help="newest first (date, the default) or best held-out accuracy first")
    show = commands.add_parser("show", parents=[db], help="one run: config, summary, epochs",
                               description="Show one run: its hyperparameters, how it ended and "
                                           "a table of its epochs.")
    show.add_argument("id", type=run_id, help="the run's id, as listed")
    export = commands.add_parser(
        "export", parents=[db], help="write one run as CSV or JSON",
        description="Write one run as CSV (one row per epoch) or JSON (the format of "
                    "'nntui train --json'), to standard output or a file.")
    export.add_argument("id", type=run_id, help="the run's id, as listed")
    export.add_argument("--format", choices=("csv", "json"),
                        help="default: from the suffix of -o, else json")
    export.add_argument("-o", "--output", metavar="FILE",
                        help="write here (replaced atomically) instead of standard output")
    remove = commands.add_parser(
        "rm", parents=[db], help="delete runs from the history",
        description="Delete runs and their epochs from the history. Saved network files are "
                    "left where they are. Asks first on a terminal.")
    remove.add_argument("ids", type=run_id, nargs="+", metavar="ID", help="the runs' ids")
    remove.add_argument("-y", "--yes", action="store_true", help="delete without asking")
    rename = commands.add_parser("rename", parents=[db], help="name a run",
                                 description="Give a run a name ('' removes it).")
    rename.add_argument("id", type=run_id, help="the run's id, as listed")
    rename.add_argument("name", help="the new name")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not set(argv) & set(COMMANDS) and not set(argv) & {"-h", "--help"}:
        argv.insert(0, "list")  # plain 'nntui runs [options]' lists
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a bad argument (2, message already printed)
        return exit_.code if isinstance(exit_.code, int) else ExitStatus.USAGE
    out = Console(soft_wrap=True, highlight=False)
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    path = Path(args.runs_db).expanduser() if getattr(args, "runs_db", None) else default_path()
    try:
        with RunHistory(path) as history:
            return COMMANDS[args.command](history, args, out, err)
    except (UsageError, UnknownRunError) as error:
        err.print(f"{PROG}: error: {safe(error)}", markup=False)
        return ExitStatus.USAGE
    except HistoryError as error:
        err.print(f"{PROG}: {safe(error)}", markup=False)
        return ExitStatus.ERROR


# --- the JSON list -----------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """NaN and infinities as null, so that any JSON reader takes the list."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def summary_dict(run: RunSummary) -> dict:
    return {
        "id": run.id, "name": run.name, "group": run.group, "preset": run.preset,
        "status": run.status, "message": run.message, "started": iso(run.started),
        "ended": iso(run.ended), "seconds": _plain(run.seconds),
        "epochs_done": run.epochs_done, "epochs": run.epochs,
        "best_val_accuracy": _plain(run.best_val_accuracy), "best_epoch": run.best_epoch,
        "final_val_accuracy": _plain(run.final_val_accuracy),
        "test_accuracy": _plain(run.test_accuracy), "held_out": run.held_out,
        "pinned": run.pinned, "network_path": run.network_path,
        "config": dict(run.config_data),
    }


LIST_COLUMNS = tuple(column for column in RUN_COLUMNS if column.key not in ("pin", "group"))
"""The runs screen's columns but its pins and groups: a pinned run's id is marked with a *."""
STYLED = ("id", "status")
"""The columns of :data:`LIST_COLUMNS` that :func:`~nntui.render.tables.run_cell_style` styles."""


def runs_table(runs: Sequence[RunSummary], console: Console) -> tuple[Text, list[str]]:
    """The list of runs as :func:`~nntui.render.tables.fitted_table` lays it out."""
    now = time.time()
    rows, styles = [], []
    for run in runs:
        cells = run_cells(run, now)
        cells["id"] = f"{'*' if run.pinned else ''}{run.id}"
        rows.append(cells)
        styles.append({key: style for key in STYLED if (style := run_cell_style(key, run))})
    return fitted_table(console, LIST_COLUMNS, rows, styles)


# --- subcommands -------------------------------------------------------------------------------

def list_command(history: RunHistory, args: argparse.Namespace, out: Console,
                 err: Console) -> int:
    for done in history.recovered:  # runs kept aside while the history was full, now in it
        err.print(safe(f"{PROG}: {done}."), markup=False)
    for path, pending in history.waiting:
        which = "a run" if pending.run_id is None else f"run {pending.run_id}"
        err.print(safe(f"{PROG}: {which} is not all in the history yet: the rest of it is kept "
                       f"in {path} until the history has room"), markup=False)
    folder = old_runs_dir()
    try:
        report = history.import_json_runs(folder)
    except HistoryError as error:  # e.g. a read-only history: list what it holds
        err.print(safe(f"{PROG}: warning: the JSON run records in {folder} were not imported: "
                       f"{error}"), markup=False)
        report = ImportReport()
    for _, reason in report.skipped:  # the reason names the file
        err.print(safe(f"{PROG}: skipped an old run record: {reason}"), markup=False)
    if report.imported:
        count = len(report.imported)
        err.print(safe(f"Imported {count} run{'s' if count != 1 else ''} from the JSON run "
                       f"records in {folder} (the files are left there)."), markup=False)
    runs = history.list_runs(args.limit, order="best" if args.sort == "best" else "started")
    if args.json:
        out.file.write(json_safe(json.dumps([summary_dict(run) for run in runs], indent=1,
                                            ensure_ascii=False)) + "\n")
        return ExitStatus.SUCCESS
    if not runs:
        err.print(EMPTY, markup=False)
        return ExitStatus.SUCCESS
    table, left_out = runs_table(runs, out)
    out.print(table)
    total = history.count()
    shown = f"{len(runs)} of {total}" if len(runs) < total else str(total)
    note = f"{shown} run{'s' if total != 1 else ''} in {safe(history.path)}"
    if left_out:
        note += (f"; {', '.join(left_out)} left out at this width (nntui runs show ID has "
                 "everything)")
    out.print(Text(note, style="dim"))
    return ExitStatus.SUCCESS


def show_command(history: RunHistory, args: argparse.Namespace, out: Console,
                 err: Console) -> int:
    run: RunDetail = history.get_run(args.id)
    title = f"Run {run.id}" + (f": {safe(run.title)}" if run.title else "")
    out.print(Text(title, style="bold"))
    about = Table.grid(padding=(0, 2))
    about.add_column(style="bold")
    about.add_column()
    about.add_row("status", outcome_text(run))
    about.add_row("started", datetime.fromtimestamp(run.started).strftime("%Y-%m-%d %H:%M:%S"))
    if run.ended is not None:
        about.add_row("ended", datetime.fromtimestamp(run.ended).strftime("%Y-%m-%d %H:%M:%S"))
    about.add_row("time", duration(run.duration))
    about.add_row("epochs", epochs_text(run))
    for label, value in accuracy_lines(run):
        about.add_row(label, value)
    for label, value in (("preset", run.preset), ("group", run.group),
                         ("network", run.network_path), ("pinned", "yes" if run.pinned else ""),
                         ("process", f"pid {run.pid} on {run.host}" if run.pid else "")):
        if value:
            about.add_row(label, safe(value))
    out.print(about)
    config = Table(title="Hyperparameters", title_justify="left", show_header=False,
                   pad_edge=False, box=None)
    config.add_column(style="bold")
    config.add_column()
    for name, spec in SPECS.items():
        if applies(name, run.config.dataset):
            config.add_row(spec.label, safe(format_value(name, getattr(run.config, name))))
    out.print(config)
    if not run.history:
        out.print("No epoch finished.")
        return ExitStatus.SUCCESS
    held = "val" if run.held_out == "validation" else "test"
    columns = (Column("epoch", "epoch", True, 100), Column("train cost", "train cost", True, 70),
               Column("train acc", "train acc", True, 75),
               Column("val cost", f"{held} cost", True, 80),
               Column("val acc", f"{held} acc", True, 90), Column("eta", "η", True, 60),
               Column("seconds", "seconds", True, 50),
               Column("speed", "learning speed", priority=30),
               Column("notes", "notes", priority=40, optional=True))  # no column of blanks
    rows = [{"epoch": str(r.epoch), "train cost": number(r.train_cost),
             "train acc": percent(r.train_accuracy), "val cost": number(r.val_cost),
             "val acc": percent(r.val_accuracy),
             "eta": format_number(r.eta) if math.isfinite(r.eta) else str(r.eta),
             "seconds": f"{r.seconds:.2f}", "speed": " ".join(f"{s:.1e}" for s in r.learning_speed),
             "notes": safe("; ".join(r.notes))} for r in run.history]
    table, left_out = fitted_table(out, columns, rows)
    out.print(Text("Epochs", style="bold"))
    out.print(table)
    if left_out:
        out.print(Text(f"{', '.join(left_out)} left out at this width; nntui runs export "
                       f"{run.id} --format csv has everything", style="dim"))
    print_saturation(reports_from_dicts(history.saturation(run.id)), out)
    return ExitStatus.SUCCESS


def print_saturation(reports: Sequence[SaturationReport], out: Console) -> None:
    """The run's saturated (or dead) fraction per layer and epoch, if it was measured."""
    curves = fractions(reports)
    if not curves:
        return
    out.print(Text("Saturated units per layer", style="bold"))
    out.print(Text(legend_line(reports[-1]), style="dim"))
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("epoch", justify="right")
    for name, measure, _ in curves:
        table.add_column(f"{name}\n{measure}", justify="right")
    by_epoch: dict[int, list[str]] = {}
    for column, (_, _, points) in enumerate(curves):
        for epoch, fraction in points:
            by_epoch.setdefault(epoch, ["—"] * len(curves))[column] = share(fraction)
    for epoch in sorted(by_epoch):
        table.add_row(str(epoch), *by_epoch[epoch])
    out.print(table)


def export_command(history: RunHistory, args: argparse.Namespace, out: Console,
                   err: Console) -> int:
    fmt = args.format or (format_for(args.output) if args.output else "json")
    if not args.output:
        text, _ = export_text(history, args.id, fmt)
        # The file as written, but what a terminal would obey shown as escapes.
        out.file.write(json_safe(text) if fmt == "json" else safe(text, newlines=True))
        out.file.flush()
        return ExitStatus.SUCCESS
    target = Path(args.output).expanduser()
    try:  # what 'nntui train --json' refuses, refused the same way
        check_writable(target, "run record")
    except RunFileError as error:
        raise UsageError(str(error)) from None
    if not target.parent.is_dir():  # unlike --json, a mistyped -o makes no folders
        raise UsageError(f"the folder {target.parent} does not exist; create it or choose "
                         f"another -o")
    try:
        rows = export_run(history, args.id, target, fmt)
    except RunFileError as error:  # the disk is full, or the place changed meanwhile
        err.print(f"{PROG}: {safe(error)}", markup=False)
        return ExitStatus.ERROR
    out.print(f"Wrote run {args.id} ({rows} epoch{'s' if rows != 1 else ''}) to {safe(target)} "
              f"as {fmt.upper()}.", markup=False)
    return ExitStatus.SUCCESS


def rm_command(history: RunHistory, args: argparse.Namespace, out: Console,
               err: Console) -> int:
    ids = sorted(set(args.ids))
    runs = [history.get_summary(run_id) for run_id in ids]  # an unknown id stops here, exit 2
    running = [history.get_run(run.id) for run in runs  # the dead were marked on open
               if run.status == "running"]
    if running:
        where = "; ".join(f"run {run.id} by pid {run.pid} on {safe(run.host)}"
                          for run in running)
        raise UsageError(f"not deleting runs that are still being recorded ({where}); stop "
                         f"them first")
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError("refusing to delete without confirmation: no terminal to ask on; "
                             "add --yes")
        for run in runs:
            label = safe(run.title) or dataset_label(dict(run.config_data))
            out.print(f"  {run.id}  {when(run.started)}  {label}  {safe(run.status)}, "
                      f"{epochs_text(run)} epochs", markup=False)
        which = f"run {ids[0]}" if len(ids) == 1 else f"these {len(ids)} runs"
        try:
            answer = input(f"Delete {which} from the history? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            out.print("Nothing deleted.")
            return ExitStatus.SUCCESS
    deleted = history.delete(ids)
    names = ", ".join(str(i) for i in ids)
    out.print(f"Deleted {'run' if deleted == 1 else 'runs'} {names}.", markup=False)
    kept = [run.network_path for run in runs if run.network_path]
    for path in kept:
        out.print(f"The saved network {safe(path)} was left in place.", markup=False)
    return ExitStatus.SUCCESS


def rename_command(history: RunHistory, args: argparse.Namespace, out: Console,
                   err: Console) -> int:
    name = args.name.strip()
    problem = refusal(name)
    if problem is not None:
        raise UsageError(problem)
    history.rename(args.id, name)
    if name:
        out.print(f"Run {args.id} is now named '{name}'.", markup=False)
    else:
        out.print(f"Run {args.id} no longer has a name.", markup=False)
    return ExitStatus.SUCCESS


COMMANDS = {"list": list_command, "show": show_command, "export": export_command,
            "rm": rm_command, "rename": rename_command}


if __name__ == "__main__":
    raise SystemExit(main())
