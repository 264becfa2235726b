"""How the saturation screen names the live run (a plain function: no app needed)."""

from __future__ import annotations

from nntui.config import make_config
from nntui.storage.history import RunHistory
from nntui.tui.controllers.saturation import live_label


def test_a_named_run_is_called_by_its_title_and_its_name(tmp_path) -> None:
    """A comparison's run carries its variant's name; the pinned runs beside it are shown by
    theirs, so the live one must say its own ("run 2 · init=normalized"), not only "run 2"."""
    with RunHistory(tmp_path / "runs.db") as history:
        plain = history.start_run(make_config(dataset="xor"))
        named = history.start_run(make_config(dataset="xor"), name="init=normalized",
                                  group="weight-init")
        assert live_label(f"run {plain}", history, plain) == f"run {plain}"
        assert live_label(f"run {named}", history, named) == f"run {named} · init=normalized"
        assert live_label("run 99", history, 99) == "run 99"  # gone from the history
    assert live_label("unrecorded run 1", None, None) == "unrecorded run 1"
