"""The hyperparameter form: which fields a data set shows, and the data sets its list offers."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from nntui.config import SPECS, applies
from nntui.datasets import DATASET_NAMES
from nntui.datasets import mnist as mnist_module
from nntui.tui.dialogs.prompt import PromptScreen
from nntui.tui.widgets.form import FOLDER

REPO_MNIST = Path(__file__).resolve().parents[3] / "data" / "mnist"


def test_fields_that_apply_to_each_data_set():
    assert applies("noise", "spiral") and not applies("noise", "mnist")
    assert applies("neuron_w", "neuron") and not applies("neuron_w", "xor")
    assert not applies("train_size", "neuron") and applies("train_size", "/data/my-idx")
    assert all(applies(name, "mnist") for name in SPECS
               if name not in ("noise", "neuron_w", "neuron_b"))


async def test_the_data_set_list_offers_what_is_installed_and_a_folder(tmp_path, monkeypatch,
                                                                      open_app):
    monkeypatch.delenv("NNTUI_DATA_DIR", raising=False)
    monkeypatch.setattr(mnist_module, "FASHION_MNIST_SYSTEM_DIR", tmp_path / "absent")
    async with open_app() as (app, _, _):
        offered = app.dashboard.form.field("dataset").options
        assert "fashion-mnist" not in offered  # it would only fail when F5 loads it
        assert offered == [*(n for n in DATASET_NAMES if n != "fashion-mnist"), FOLDER]


async def test_a_folder_of_idx_files_is_asked_for_and_checked(press, wait_for, open_app):
    async with open_app() as (app, pilot, _):
        field = app.dashboard.form.field("dataset")
        before = field.raw
        field.editor.value = FOLDER  # the list's last entry: "a folder of IDX files…"
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        assert field.raw == before  # the form still reads the data set chosen before
        prompt = app.screen
        prompt.query_one(Input).value = "/no/such/folder"
        await press(pilot, "enter")
        error = prompt.query_one("#prompt-error")
        await wait_for(pilot, lambda: error.has_class("-shown"))
        assert "no such folder" in str(error.render())
        assert app.screen is prompt  # nothing taken
        prompt.query_one(Input).value = str(REPO_MNIST)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        assert field.raw == str(REPO_MNIST) and str(REPO_MNIST) in field.options
        config, _ = app.dashboard.form.read(app.settings.config)
        assert config is not None and config.dataset == str(REPO_MNIST)
        # Escape keeps what was there.
        field.editor.value = FOLDER
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        assert field.raw == str(REPO_MNIST)
