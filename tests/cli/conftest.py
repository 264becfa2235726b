"""What the command-line tests share: ``nntui`` run in this process as a shell would run it, and
the environment of a real ``nntui`` (or ``dask``) process a test starts."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from nntui.cli.main import main


@pytest.fixture
def run_cli(capsys) -> Callable[[list[str]], tuple[int, str, str]]:
    """``run_cli(argv)`` runs ``nntui argv`` in this process and returns (exit status, stdout,
    stderr); an argparse exit counts as its status."""

    def run(argv: list[str]) -> tuple[int, str, str]:
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def subprocess_env() -> dict[str, str]:
    """The environment of a process a test starts: unbuffered output, so it can be read as it
    comes, and neither the data folder nor the Dask scheduler of whoever runs the tests."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("NNTUI_DATA_DIR", None)
    env.pop("NNTUI_DASK_SCHEDULER", None)
    return env
