"""Snapshot tests of the dashboard at fixed sizes, with deterministic content.

Clocks and speeds are hidden (``show_timing=False``), the seed is fixed and the runs are tiny
synthetic ones, so the pictures are the same on every run.  The scenes (what a person does before
the picture) are the ones ``scripts/make_screenshots.py`` takes the README's pictures after.
Update with ``--snapshot-update`` only after looking at the new SVGs.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from nntui.config import DEFAULTS
from nntui.runner.lifecycle import Run
from nntui.storage.networks import save_network
from nntui.tui.app import NNTuiApp


@pytest.fixture
def app_on(tmp_path) -> Callable[..., NNTuiApp]:
    """``app_on(config=DEFAULTS)``: the app as a picture shows it, recording in the test's own
    history (``$NNTUI_RUNS_DB``)."""
    return lambda config=DEFAULTS: NNTuiApp(config, runs_dir=tmp_path, show_timing=False)


def test_first_screen_80x24(snap_compare, app_on, scenes):
    assert snap_compare(app_on(), terminal_size=(80, 24), run_before=scenes.settle)


def test_first_screen_120x40(snap_compare, app_on, scenes):
    assert snap_compare(app_on(), terminal_size=(120, 40), run_before=scenes.settle)


def test_field_error(snap_compare, app_on, scenes):
    assert snap_compare(app_on(), terminal_size=(120, 40), run_before=scenes.type_invalid_eta)


def test_finished_short_run(snap_compare, app_on, scenes):
    assert snap_compare(app_on(scenes.FINISHED_RUN), terminal_size=(120, 40),
                        run_before=scenes.finish_run)


def test_help_screen(snap_compare, app_on, scenes):
    assert snap_compare(app_on(), terminal_size=(120, 40), run_before=scenes.open_help)


def test_too_small(snap_compare, app_on, scenes):
    assert snap_compare(app_on(), terminal_size=(60, 18), run_before=scenes.settle)


# The books' runs, finished: every curve inside its frame, legends beside the data, whole-number
# epoch ticks, at the smallest supported size and a comfortable one.

def test_finished_overfitting_run_80x24(snap_compare, app_on, scenes):
    assert snap_compare(app_on(scenes.OVERFIT), terminal_size=(80, 24),
                        run_before=scenes.finish_run)


def test_finished_overfitting_run_120x40(snap_compare, app_on, scenes):
    assert snap_compare(app_on(scenes.OVERFIT), terminal_size=(120, 40),
                        run_before=scenes.finish_run)


def test_finished_speed_of_learning_run_80x24(snap_compare, app_on, scenes):
    assert snap_compare(app_on(scenes.SPEED), terminal_size=(80, 24),
                        run_before=scenes.finish_run)


def test_finished_speed_of_learning_run_120x40(snap_compare, app_on, scenes):
    assert snap_compare(app_on(scenes.SPEED), terminal_size=(120, 40),
                        run_before=scenes.finish_run)


# Comparing runs: three pinned runs beside a live one, the books' saturated neuron with its output
# plot, a loaded network.

def test_three_pinned_runs_beside_a_finished_run_120x40(snap_compare, app_on, scenes):
    scenes.record_pinned(os.environ["NNTUI_RUNS_DB"])
    assert snap_compare(app_on(scenes.PINNED.replace(eta=0.3)), terminal_size=(120, 40),
                        run_before=scenes.finish_run)


def test_three_pinned_runs_beside_a_finished_run_80x24(snap_compare, app_on, scenes):
    scenes.record_pinned(os.environ["NNTUI_RUNS_DB"])
    assert snap_compare(app_on(scenes.PINNED.replace(eta=0.3)), terminal_size=(80, 24),
                        run_before=scenes.finish_run)


def test_saturated_neuron_comparison_120x40(snap_compare, app_on, scenes, unpaced):
    assert snap_compare(app_on(), terminal_size=(120, 40),
                        run_before=scenes.run_comparison("saturated-neuron"))


def test_loaded_network_120x40(snap_compare, app_on, scenes, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ended = Run(scenes.FINISHED_RUN).execute()
    save_network("xor-net.npz", ended.network, scenes.FINISHED_RUN)
    assert snap_compare(app_on(), terminal_size=(120, 40), run_before=scenes.load_network)


# --- a result against a hyperparameter ------------------------------------------------------------

def test_sweep_results_against_eta_120x40(snap_compare, pictured, scenes):
    assert snap_compare(pictured, terminal_size=(120, 40), run_before=scenes.sweep_against)


def test_sweep_results_against_eta_80x24(snap_compare, pictured, scenes):
    assert snap_compare(pictured, terminal_size=(80, 24), run_before=scenes.sweep_against)


# Saturated neurons (F12): a finished run's layers, and the weight-init comparison's runs side by
# side before training, large weights' z spread ten times as wide as normalized weights'.

def test_saturation_of_a_finished_run_80x24(snap_compare, app_on, scenes):
    assert snap_compare(app_on(scenes.SATURATION_RUN), terminal_size=(80, 24),
                        run_before=scenes.finished_run_saturation)


def test_saturation_of_a_finished_run_120x40(snap_compare, app_on, scenes):
    assert snap_compare(app_on(scenes.SATURATION_RUN), terminal_size=(120, 40),
                        run_before=scenes.finished_run_saturation)


def test_saturation_weight_init_side_by_side_80x24(snap_compare, app_on, scenes):
    scenes.record_weight_init(os.environ["NNTUI_RUNS_DB"])
    assert snap_compare(app_on(), terminal_size=(80, 24),
                        run_before=scenes.weight_init_before_training)


def test_saturation_weight_init_side_by_side_120x40(snap_compare, app_on, scenes):
    scenes.record_weight_init(os.environ["NNTUI_RUNS_DB"])
    assert snap_compare(app_on(), terminal_size=(120, 40),
                        run_before=scenes.weight_init_before_training)


# Nielsen's more data: the more-data comparison's runs from the history, against the training-set
# size (runs screen, `a`), a line for the plain and one for the expanded set.

def test_more_data_against_training_images_80x24(snap_compare, app_on, scenes):
    scenes.record_more_data(os.environ["NNTUI_RUNS_DB"])
    assert snap_compare(app_on(), terminal_size=(80, 24), run_before=scenes.group_against)


def test_more_data_against_training_images_120x40(snap_compare, app_on, scenes):
    scenes.record_more_data(os.environ["NNTUI_RUNS_DB"])
    assert snap_compare(app_on(), terminal_size=(120, 40), run_before=scenes.group_against)


def test_draw_a_digit_80x24(snap_compare, app_on, scenes):
    assert snap_compare(app_on(scenes.DIGIT_NETWORK), terminal_size=(80, 24),
                        run_before=scenes.draw_digit)


def test_draw_a_digit_120x40(snap_compare, app_on, scenes):
    assert snap_compare(app_on(scenes.DIGIT_NETWORK), terminal_size=(120, 40),
                        run_before=scenes.draw_digit)
