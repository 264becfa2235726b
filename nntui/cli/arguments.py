"""What the commands' command lines share: the hyperparameter flags (one per field of
:class:`~nntui.config.Config`, generated from its specs, so every flag has the help, range and
validation of the form field it mirrors), where the data and the run history are, the values a
flag may take, and the listings of the books' presets and comparisons.

Bad values end the program with exit status 2 (:attr:`~nntui.status.ExitStatus.USAGE`) and one
line saying what to change; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from nntui.config import DEFAULTS, SPECS, Config, format_value, parse_values
from nntui.engine import Network
from nntui.presets import PRESETS
from nntui.status import ExitStatus
from nntui.storage.errors import RunFileError
from nntui.storage.networks import load_network
from nntui.studies.comparisons import COMPARISONS

# DEFAULTS is Nielsen's chapter 3 network with L2 regularization, the nielsen-l2 preset (a test
# keeps the two equal); his unregularized baseline is the nielsen-baseline preset.
DEFAULTS_TITLE = ("hyperparameters (defaults: Nielsen's ch. 3 network with L2, λ = 5 — "
                  "the nielsen-l2 preset)")


def consoles() -> tuple[Console, Console]:
    """Standard output and standard error as every command prints to them: lines wrapped by the
    terminal, not cut by Rich, so a piped line stays one line."""
    return Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)


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
            parser.exit(ExitStatus.USAGE, f"nntui: error: unknown preset '{args.preset}'; "
                                          f"choose one of {', '.join(PRESETS)}\n")
        base = PRESETS[args.preset].config()
    given = {name: getattr(args, name) for name in SPECS if hasattr(args, name)}
    config, problems = parse_values(given, base)
    if config is None:
        reasons = "; ".join(f"{flag(p.field)}: {p.message}" for p in problems)
        parser.exit(ExitStatus.USAGE, f"nntui: error: {reasons}\n")
    return config


def loaded_or_exit(parser: argparse.ArgumentParser,
                   path: str | None) -> tuple[Config, Network] | None:
    """``--load PATH``: the saved network and its config (None without the flag), or exit 2
    naming what is wrong with the file, before anything starts."""
    if path is None:
        return None
    try:
        return load_network(path)
    except RunFileError as error:
        parser.exit(ExitStatus.USAGE, f"{parser.prog}: error: --load: {error}\n")


def print_presets(console: Console) -> None:
    table = Table(title="Presets: the books' experiments", show_lines=False)
    table.add_column("name", style="bold cyan", no_wrap=True)
    table.add_column("experiment")
    for preset in PRESETS.values():
        table.add_row(preset.name, f"[bold]{preset.title}[/]\n{preset.description}")
    console.print(table)
    console.print("Use one with [bold]nntui --preset NAME[/] or "
                  "[bold]nntui train --preset NAME[/].")
    print_comparisons(console, full=False)


# --- values a flag may take ----------------------------------------------------------------------

def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``low`` (and at most ``high``), refused in
    words that say what to give instead."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range; use {low} to {high}")
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is too small; give at least {low}")
        return value

    return parse


workers_value = whole_number(0)
"""How many Dask workers: 0 trains one run after another in this process."""


def seconds_value(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text} s is out of range; use more than 0 and at "
                                         f"most 3600")
    return value


# --- the books' experiments ---------------------------------------------------------------------

def comparisons_table(*, full: bool = True) -> Table:
    """The comparisons: name, title and variants, and with ``full`` what each runs and what to
    watch."""
    table = Table(title="Comparisons: the books' figures, run side by side")
    table.add_column("name", style="bold cyan", no_wrap=True)
    table.add_column("comparison")
    for comparison in COMPARISONS.values():
        text = Text(comparison.title, "bold")
        text.append("\n" + " · ".join(comparison.labels()))
        if full:
            text.append(f"\n{comparison.description}\n")
            text.append("Watch: ", "bold")
            text.append(comparison.watch)
        table.add_row(comparison.name, text)
    return table


def print_comparisons(console: Console, *, full: bool = True) -> None:
    console.print(comparisons_table(full=full))
    console.print("Run one with [bold]nntui compare NAME[/] (add [bold]--plot[/] for the "
                  "curves).")
