"""Tests of how ``nntui`` ends, whatever the command, as a shell expects: Ctrl+C before a
command's own handler is in place, standard output on a full disk, and a reader that went away.
Each runs a real ``python -m nntui`` process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

COMMANDS = [["runs"], ["runs", "show", "1"], ["train", "--list-presets"], ["sweep", "--help"],
            ["--list-presets"]]


def _run(args: list[str], env: dict[str, str], stdout, tmp_path: Path) -> tuple[int, str]:
    process = subprocess.run([sys.executable, "-m", "nntui", *args], stdout=stdout,
                             stderr=subprocess.PIPE, text=True, env=env, timeout=120,
                             cwd=tmp_path)
    return process.returncode, process.stderr


@pytest.fixture
def env(subprocess_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """A history of one's own holding one run (so that ``nntui runs`` has a table to print),
    and nntui importable from this tree wherever the process runs."""
    root = str(Path(__file__).resolve().parents[2])
    env = {**subprocess_env, "NNTUI_RUNS_DB": str(tmp_path / "runs.db"),
           "PYTHONPATH": os.pathsep.join(filter(None, [root, subprocess_env.get("PYTHONPATH")]))}
    code, err = _run(["train", "--dataset", "xor", "--epochs", "1", "--quiet"], env,
                     subprocess.DEVNULL, tmp_path)
    assert code == 0, err
    return env


def test_ctrl_c_before_the_command_handles_it_exits_130(env: dict[str, str],
                                                         tmp_path: Path) -> None:
    """The signal arrives while ``nntui train`` is still setting up (here: as it builds its
    parser, before its own handler is in place): no traceback, 130 as for any Ctrl+C."""
    script = tmp_path / "interrupted.py"
    script.write_text(textwrap.dedent("""
        import os, signal, sys
        import nntui.__main__
        import nntui.cli.train as train

        build_parser = train.build_parser

        def interrupted_while_building():
            os.kill(os.getpid(), signal.SIGINT)  # as if Ctrl+C came now
            return build_parser()

        train.build_parser = interrupted_while_building
        sys.exit(nntui.__main__.main(["train", "--dataset", "xor", "--epochs", "1"]))
    """))
    process = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                             env=env, timeout=120)
    assert process.returncode == 130, process.stderr
    assert "Traceback" not in process.stderr and process.stdout == ""


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_full_standard_output_is_said_in_one_line(args: list[str], env: dict[str, str],
                                                    tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        code, err = _run(args, env, full, tmp_path)
    assert code == 1
    assert err == "nntui: cannot write to standard output: No space left on device\n"


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_reader_that_went_away_ends_it_quietly(args: list[str], env: dict[str, str],
                                                 tmp_path: Path) -> None:
    """``nntui ... | head`` where head has already left: no traceback, no message."""
    read, write = os.pipe()
    os.close(read)
    try:
        code, err = _run(args, env, write, tmp_path)
    finally:
        os.close(write)
    assert err == ""  # neither a traceback nor Python's "Exception ignored" at exit
    # 1 as Rich ends a console whose reader left; argparse's --help ignores it and exits 0
    assert code == (0 if "--help" in args else 1)
