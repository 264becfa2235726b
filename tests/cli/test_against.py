"""``--plot`` of ``nntui sweep`` and ``nntui compare``: the runs' results against the value they
vary, printed after the table by a real ``nntui`` process, and a sweep with nothing to plot
against refused before it trains."""

from __future__ import annotations

import re
from pathlib import Path

from nntui.status import ExitStatus

CIRCLE = ["--dataset", "circle", "--hidden", "4", "--activation", "tanh", "--output", "softmax",
          "--cost", "log-likelihood", "--init", "glorot", "--regularization", "none",
          "--train-size", "200", "--epochs", "3", "--pace", "0", "--workers", "0"]


def test_a_sweep_plots_its_runs_against_the_varied_value(tmp_path: Path, start_nntui,
                                                         subprocess_env) -> None:
    subprocess_env["COLUMNS"] = "100"  # piped: as wide as $COLUMNS says
    process = start_nntui(["sweep", *CIRCLE, "--vary", "eta=0.01,0.1,1,10", "--vary",
                           "seed=1,2", "--plot", "--name", "grid", "--runs-db",
                           str(tmp_path / "runs.db")])
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    table, _, figure = out.partition("Best validation accuracy (%)")
    assert "Sweep grid: 8 runs, best first" in table and figure
    lines = figure.splitlines()
    assert lines[0].split() == ["against", "η", "•", "seed=1", "x", "seed=2"]
    assert "Final training cost" in figure and figure.count("η (log scale)") == 2
    ticks = [line.split() for line in lines if re.fullmatch(r"[\d., ]+", line.strip() or "-")]
    assert ["0.01", "0.1", "1", "10"] in ticks  # every decade the values span
    assert "\x1b" not in out  # a pipe gets plain text
    assert max(len(line) for line in lines) <= 100


def test_a_sweep_with_one_value_has_nothing_to_plot_against(tmp_path: Path,
                                                            start_nntui) -> None:
    db = tmp_path / "runs.db"
    process = start_nntui(["sweep", *CIRCLE, "--vary", "eta=0.1", "--plot", "--runs-db",
                           str(db)])
    out, err = process.communicate(timeout=60)
    assert process.returncode == ExitStatus.USAGE
    assert err.strip() == (
        "nntui sweep: error: --plot: a plot against a hyperparameter needs runs at two values "
        "or more; this sweep has one run: give --vary two values or more (e.g. --vary "
        "eta=0.1,1)")
    assert out == "" and not db.exists()  # before anything trained


def test_a_sweep_varying_three_fields_names_them_before_it_trains(tmp_path: Path,
                                                                  run_cli) -> None:
    code, out, err = run_cli(["sweep", *CIRCLE, "--vary", "eta=0.1,1", "--vary", "seed=1,2",
                              "--vary", "hidden=4,8", "--plot", "--runs-db",
                              str(tmp_path / "runs.db")])
    assert code == ExitStatus.USAGE and out == ""
    assert "--plot: the runs differ in 3 fields (hidden neurons, η, seed)" in err


def test_a_comparison_plots_its_variants_against_what_they_vary(tmp_path: Path,
                                                               start_nntui) -> None:
    process = start_nntui(["compare", "learning-rates", "--epochs", "1", "--plot",
                           "--runs-db", str(tmp_path / "runs.db")])
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    # After the curves per epoch, the results against η.
    assert out.index("Training cost per epoch") < out.index("Best validation accuracy (%) "
                                                            "against η")
    figure = out[out.index("Best validation accuracy (%) against η"):]
    assert "Final training cost against η" in figure and "η (log scale)" in figure


def test_a_comparison_of_many_differences_says_why_it_has_no_such_plot(tmp_path: Path,
                                                                       run_cli) -> None:
    code, out, err = run_cli(["compare", "saturated-neuron", "--plot", "--runs-db",
                              str(tmp_path / "runs.db")])
    assert code == 0, err
    assert ("No plot against a hyperparameter: the runs differ in 4 fields (cost, η, w, b)"
            in out)
