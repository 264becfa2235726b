"""Snapshot tests of each screen at fixed sizes, with deterministic content.

Clocks and speeds are hidden (``show_timing=False``), the seed is fixed and the runs are tiny
synthetic ones, so the pictures are the same on every run.  Update with ``--snapshot-update``
only after looking at the new SVGs.
"""

from __future__ import annotations

import os
from pathlib import Path

from nntui.config import DEFAULTS
from nntui.tui.app import NNTuiApp
from tests.tui.scenes import (
    FINISHED_RUN,
    OVERFIT,
    PINNED,
    SPEED,
    finish_run,
    load_network,
    open_help,
    record_pinned,
    run_comparison,
    settle,
    type_invalid_eta,
)


def make_app(tmp_path: Path, config=DEFAULTS) -> NNTuiApp:
    return NNTuiApp(config, runs_dir=tmp_path, show_timing=False)


def test_first_screen_80x24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=settle)


def test_first_screen_120x40(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), run_before=settle)


def test_field_error(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), run_before=type_invalid_eta)


def test_finished_short_run(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, FINISHED_RUN), terminal_size=(120, 40),
                        run_before=finish_run)


def test_help_screen(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), run_before=open_help)


def test_too_small(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(60, 18), run_before=settle)


# The books' runs, finished: every curve inside its frame, legends beside the data, whole-number
# epoch ticks, at the smallest supported size and a comfortable one.

def test_finished_overfitting_run_80x24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, OVERFIT), terminal_size=(80, 24),
                        run_before=finish_run)


def test_finished_overfitting_run_120x40(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, OVERFIT), terminal_size=(120, 40),
                        run_before=finish_run)


def test_finished_speed_of_learning_run_80x24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, SPEED), terminal_size=(80, 24),
                        run_before=finish_run)


def test_finished_speed_of_learning_run_120x40(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, SPEED), terminal_size=(120, 40),
                        run_before=finish_run)


# Comparing runs: three pinned runs beside a live one, the books' saturated neuron with its output
# plot, a loaded network.

def test_three_pinned_runs_beside_a_finished_run_120x40(snap_compare, tmp_path):
    record_pinned(os.environ["NNTUI_RUNS_DB"])
    app = make_app(tmp_path, PINNED.replace(eta=0.3))
    assert snap_compare(app, terminal_size=(120, 40), run_before=finish_run)


def test_three_pinned_runs_beside_a_finished_run_80x24(snap_compare, tmp_path):
    record_pinned(os.environ["NNTUI_RUNS_DB"])
    app = make_app(tmp_path, PINNED.replace(eta=0.3))
    assert snap_compare(app, terminal_size=(80, 24), run_before=finish_run)


def test_saturated_neuron_comparison_120x40(snap_compare, tmp_path, monkeypatch):
    from nntui.tui import app as app_module

    monkeypatch.setattr(app_module, "COMPARISON_PACE", {})  # the pace only spaces runs in time
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40),
                        run_before=run_comparison("saturated-neuron"))


def test_loaded_network_120x40(snap_compare, tmp_path, monkeypatch):
    from nntui.runner.lifecycle import Run
    from nntui.storage.networks import save_network

    monkeypatch.chdir(tmp_path)
    ended = Run(FINISHED_RUN).execute()
    save_network("xor-net.npz", ended.network, FINISHED_RUN)
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), run_before=load_network)
