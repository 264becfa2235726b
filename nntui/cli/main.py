"""``nntui``'s command line: which command it asks for.

``nntui train | compare | sweep | runs | inspect | serve`` each live in a module of their own
beside this one, and each returns an :class:`~nntui.status.ExitStatus`.  ``nntui`` with no
command, only hyperparameter flags, opens the app: the flags are checked here like any
command's, and :func:`main` hands back an :class:`OpenApp` saying what to open.
``nntui.__main__`` opens it, so the command line never imports the app and the app never imports
the command line (and a headless command never loads Textual).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from nntui.cli.arguments import (
    add_config_arguments,
    config_from_args,
    consoles,
    loaded_or_exit,
    print_presets,
)
from nntui.config import DEFAULTS, Config
from nntui.status import ExitStatus

COMMANDS = ("train", "compare", "sweep", "runs", "inspect", "serve")
"""The subcommands, each the module ``nntui.cli.<name>`` with ``main(argv) -> int``."""


@dataclass(frozen=True)
class OpenApp:
    """``nntui`` without a command: open the app with this config in its form."""

    config: Config
    data_dir: str | None
    runs_db: str | None
    load: str | None = None
    """A saved network to open the app with (``--load``): F5 trains on from its weights."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui",
        description="A terminal laboratory for neural networks. 'nntui' opens the app; "
                    "'nntui train' trains headless (see 'nntui train --help'); 'nntui runs' "
                    "lists, shows, exports and deletes recorded runs (see 'nntui runs "
                    "--help'); 'nntui inspect NET.npz' measures a saved network (its "
                    "confusion matrix and most confident mistakes); 'nntui sweep' trains "
                    "many configs at once on Dask (see 'nntui sweep --help'); 'nntui serve' "
                    "serves the app to a web browser (see 'nntui serve --help').",
    )
    add_config_arguments(parser)
    parser.add_argument("--load", metavar="PATH",
                        help="open with a saved network (.npz or .json): its config in the "
                             "form, other flags change it (not its layers); F5 trains on from "
                             "its weights")
    return parser


def main(argv: Sequence[str] | None = None) -> int | OpenApp:
    """Run the command ``argv`` names and return its exit status; without a command, check the
    app's flags and return what to open (or exit 2 naming every bad flag)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        # Imported on demand, like the app, so each command loads only what it uses.
        command = importlib.import_module(f"nntui.cli.{argv[0]}")
        return command.main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_presets:
        print_presets(consoles()[0])
        return ExitStatus.SUCCESS
    loaded = loaded_or_exit(parser, args.load)  # checked like any flag, before the app opens
    config = config_from_args(parser, args, DEFAULTS if loaded is None else loaded[0])
    return OpenApp(config, args.data_dir, args.runs_db, args.load)
