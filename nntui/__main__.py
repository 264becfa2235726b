"""``nntui`` and ``python -m nntui``: the command line, or the app.

The one place that knows both front ends: the command line (:mod:`nntui.cli`) runs the command it
is given, and when it is given none, the app (:mod:`nntui.tui`) opens with the flags' config.

It is also where a program ends as a shell expects, whatever the command: Ctrl+C before a
command's own handler is in place (or after it is gone) exits 130 without a traceback; standard
output that cannot be written (a full disk, ``> /dev/full``) is said in one line and exits 1; a
reader that went away (``nntui runs | head``) ends the program quietly with 1, as Rich does when
its console's reader goes away.
Everything else is imported inside :func:`main`, so that Ctrl+C during the imports is caught too.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence

SIGINT_STATUS = 128 + signal.SIGINT  # what a shell reports for a program Ctrl+C ended


class OutputError(Exception):
    """Standard output cannot be written (not a closed pipe: that ends the program quietly)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(f"cannot write to standard output: {error.strerror or error}")


class _CheckedOutput:
    """Standard output as the commands write to it, telling a failure to write it
    (:class:`OutputError`) from the OSErrors of the files a command reads and writes."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputError(error) from error

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputError(error) from error

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _discard_output() -> None:
    """Point standard output at /dev/null, so that nothing is written (or fails) at exit."""
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), sys.stdout.fileno())


def _command_line(argv: Sequence[str] | None) -> object:
    """The command's exit status (or what app to open), its output checked."""
    from nntui.cli.main import main as command_line

    stdout, sys.stdout = sys.stdout, _CheckedOutput(sys.stdout)
    try:
        try:
            return command_line(argv)
        except SystemExit:  # argparse's --help and usage errors
            sys.stdout.flush()
            raise
        finally:
            sys.stdout.flush()  # a failure to write shows here, not as noise at exit
    finally:
        sys.stdout = stdout


def main(argv: Sequence[str] | None = None) -> int:
    try:
        outcome = _command_line(argv)
        from nntui.cli.main import OpenApp

        if not isinstance(outcome, OpenApp):
            return int(outcome)  # type: ignore[call-overload]
        from nntui.tui import run_app  # imported here, so a headless command never loads Textual

        return run_app(outcome.config, data_dir=outcome.data_dir, runs_db=outcome.runs_db,
                       load=outcome.load)
    except KeyboardInterrupt:
        return SIGINT_STATUS
    except BrokenPipeError:
        _discard_output()
        return 1
    except OutputError as error:
        _discard_output()
        sys.stderr.write(f"nntui: {error}\n")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
