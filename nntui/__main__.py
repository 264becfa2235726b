"""``nntui`` and ``python -m nntui``: the command line, or the app.

The one place that knows both front ends: the command line (:mod:`nntui.cli`) runs the command it
is given, and when it is given none, the app (:mod:`nntui.tui`) opens with the flags' config.
"""

from __future__ import annotations

from collections.abc import Sequence

from nntui.cli.main import OpenApp
from nntui.cli.main import main as command_line


def main(argv: Sequence[str] | None = None) -> int:
    outcome = command_line(argv)
    if not isinstance(outcome, OpenApp):
        return int(outcome)
    from nntui.tui import run_app  # imported here, so a headless command never loads Textual

    return run_app(outcome.config, data_dir=outcome.data_dir, runs_db=outcome.runs_db)


if __name__ == "__main__":
    raise SystemExit(main())
