"""Tests of the configuration spine: round trips and every kind of bad value.

The form, the CLI and the run files all go through :func:`parse_values`, so a value that slips
through here slips through everywhere.
"""

from __future__ import annotations

import dataclasses

import pytest

from nntui.config import (
    DEFAULTS,
    SPECS,
    Config,
    ConfigError,
    applies,
    check_combination,
    config_from_dict,
    describe,
    format_value,
    is_switch,
    make_config,
    parse_field,
    parse_values,
)


def test_every_field_has_a_spec_in_order() -> None:
    assert list(SPECS) == [f.name for f in dataclasses.fields(Config)]
    for spec in SPECS.values():
        assert spec.help and spec.label
        if spec.kind == "choice":
            assert spec.choices


@pytest.mark.parametrize("name", list(SPECS))
def test_default_round_trips_through_text(name: str) -> None:
    value = getattr(DEFAULTS, name)
    assert parse_field(name, format_value(name, value)) == value


ODD_VALUES = {
    "hidden": [(), (7,), (64, 64, 3)],
    "eta": [0.002, 1e-5, 100.0, 0.1 + 0.2],
    "lmbda": [0.0, 5.0, 0.123456789],
    "momentum": [0.0, 0.9, 0.999],
    "dropout": [0.5],
    "seed": [0, 2**32 - 1],
    "eval_train": [True, False],
    "expand": [True, False],
    "noise": [1.0],
    "neuron_w": [-100.0, 0.6],
    "pace": [0.0, 0.5, 20.0, 1000.0],
}


@pytest.mark.parametrize(("name", "value"), [
    (name, value) for name, values in ODD_VALUES.items() for value in values
] + [(name, choice) for name, spec in SPECS.items() if spec.kind == "choice"
     and not is_switch(name) for choice in spec.choices])
def test_values_round_trip_through_text(name: str, value: object) -> None:
    """Every value a field can hold survives being shown in the form and typed back."""
    assert parse_field(name, format_value(name, value)) == value


def test_typed_json_values_are_accepted() -> None:
    assert parse_field("eta", 0.5) == 0.5
    assert parse_field("epochs", 3.0) == 3
    assert parse_field("hidden", [30, 10]) == (30, 10)
    assert parse_field("hidden", "") == ()
    assert parse_field("hidden", " 64, 64 ") == (64, 64)
    assert parse_field("eval_train", False) is False
    assert parse_field("batch_size", "1_000") == 1000


@pytest.mark.parametrize(("name", "raw", "words"), [
    ("eta", "abc", "not a number"),
    ("eta", "-1", "out of range"),
    ("eta", "0", "out of range"),
    ("eta", "nan", "finite"),
    ("eta", "inf", "finite"),
    ("eta", "", "value is needed"),
    ("epochs", "2.5", "whole number"),
    ("epochs", "0", "out of range"),
    ("batch_size", "ten", "not a number"),
    ("momentum", "1", "out of range"),
    ("dropout", "1.0", "out of range"),
    ("lmbda", "-0.1", "out of range"),
    ("seed", str(2**32), "out of range"),
    ("hidden", "3,x", "'x' is not a layer size"),
    ("hidden", "0", "out of range"),
    ("hidden", "5000", "out of range"),
    ("hidden", ",".join(["4"] * 11), "too many"),
    ("activation", "swish", "one of sigmoid, tanh, relu"),
    ("cost", "hinge", "one of quadratic"),
    ("init", "zeros", "not allowed"),
    ("eval_train", "maybe", "yes or no"),
    ("expand", "twice", "yes or no"),
    ("epochs", True, "expected a number"),
    ("pace", "-1", "out of range"),
    ("pace", "1001", "out of range"),
])
def test_bad_values_give_a_problem_naming_the_field(name: str, raw: object, words: str) -> None:
    config, problems = parse_values({name: raw})
    assert config is None
    assert len(problems) == 1
    assert problems[0].field == name
    assert words in problems[0].message
    assert str(problems[0]).startswith(f"{name}: ")


def test_range_message_says_what_is_allowed() -> None:
    _, problems = parse_values({"eta": "-1"})
    assert "0 < η ≤ 100" in problems[0].message


def test_all_problems_are_returned_at_once() -> None:
    config, problems = parse_values({"eta": "abc", "epochs": "-3", "hidden": "3,x",
                                     "activation": "nope", "colour": "red"})
    assert config is None
    assert sorted(p.field for p in problems) == sorted(
        ["eta", "epochs", "hidden", "activation", "colour"])
    assert "unknown hyperparameter" in next(p for p in problems if p.field == "colour").message


def test_make_config_raises_with_every_problem() -> None:
    with pytest.raises(ConfigError) as info:
        make_config(eta="x", batch_size=0)
    assert {p.field for p in info.value.problems} == {"eta", "batch_size"}
    assert "eta:" in str(info.value) and "batch_size:" in str(info.value)


def test_combination_problems() -> None:
    assert check_combination(DEFAULTS) == []
    _, problems = parse_values({"dataset": "neuron", "hidden": "30", "output": "softmax",
                                "cost": "quadratic"})
    assert {p.field for p in problems} == {"hidden", "output"}
    _, problems = parse_values({"dropout": 0.5, "hidden": ""})
    assert [p.field for p in problems] == ["dropout"]


def test_values_lay_over_the_base() -> None:
    base = make_config(eta=0.1, epochs=3)
    config, problems = parse_values({"epochs": "5"}, base)
    assert problems == []
    assert config.eta == 0.1 and config.epochs == 5


def test_dataset_may_be_a_folder() -> None:
    assert parse_field("dataset", " /data/my-idx ") == "/data/my-idx"
    assert parse_field("dataset", "MNIST") == "mnist"
    _, problems = parse_values({"dataset": "  "})
    assert problems and problems[0].field == "dataset"


def test_to_dict_round_trips() -> None:
    config = make_config(hidden="64,32", eta=0.01, regularization="l1", lmbda=0.3, dtype="float64",
                         eval_train="no")
    assert config_from_dict(config.to_dict()) == config
    assert config_from_dict({**config.to_dict(), "extra": 1}) == config
    with pytest.raises(ConfigError):
        config_from_dict(["not", "a", "dict"])  # type: ignore[arg-type]


def test_regularized_and_describe() -> None:
    assert DEFAULTS.regularized
    assert not DEFAULTS.replace(lmbda=0.0).regularized
    assert not DEFAULTS.replace(regularization="none").regularized
    text = describe(DEFAULTS)
    assert "η=0.5" in text and "batch 10" in text and "L2 λ=5" in text


def test_pace_follows_epochs_and_is_off_by_default() -> None:
    names = list(SPECS)
    assert names.index("pace") == names.index("epochs") + 1
    spec = SPECS["pace"]
    assert (spec.kind, spec.label, spec.low, spec.high) == ("float", "pace (epochs/s)", 0, 1000)
    assert "0 = no cap" in spec.help
    assert DEFAULTS.pace == 0
    assert config_from_dict({k: v for k, v in DEFAULTS.to_dict().items() if k != "pace"}) == (
        DEFAULTS)  # a record saved before there was a pace


def test_describe_leaves_out_the_pace() -> None:
    assert describe(DEFAULTS.replace(pace=20.0)) == describe(DEFAULTS)


@pytest.mark.parametrize(("field", "raw", "written"), [
    ("eta", "1e308", "1e+308"), ("lmbda", "-1e308", "-1e+308"),
    ("batch_size", "1e308", "1e+308"), ("batch_size", "70000", "70000"),
    ("batch_size", "123456789012345678", "1.2345678901234568e+17")])
def test_numbers_in_messages_are_written_short(field: str, raw: str, written: str) -> None:
    """A value out of range is named as a person writes it, not with its 309 digits."""
    _, problems = parse_values({field: raw})
    message = problems[0].message
    assert message.startswith(f"{written} is out of range"), message
    assert len(message) < 100


def test_a_huge_layer_size_is_written_short() -> None:
    _, problems = parse_values({"hidden": "30," + "9" * 400})
    assert problems[0].message == "a layer of 1e+400 neurons is out of range; use 1 to 4096"


# --- expanding the training images --------------------------------------------------------------

def test_expand_is_a_switch_after_the_training_images() -> None:
    names = list(SPECS)
    assert names.index("expand") == names.index("train_size") + 1
    spec = SPECS["expand"]
    assert (spec.label, spec.kind, spec.choices) == ("expand data", "choice", ("yes", "no"))
    assert "shifted one pixel" in spec.help and "5×" in spec.help
    assert is_switch("expand") and is_switch("eval_train") and not is_switch("cost")
    assert DEFAULTS.expand is False
    assert format_value("expand", True) == "yes" and format_value("expand", False) == "no"
    assert [parse_field("expand", raw) for raw in ("yes", "ON", "true", "1", True)] == [True] * 5
    assert [parse_field("expand", raw) for raw in ("no", "off", "0", False)] == [False] * 4


def test_expand_round_trips_through_a_record() -> None:
    config = make_config(train_size=1000, expand="yes")
    assert config.expand is True and config.to_dict()["expand"] is True
    assert config_from_dict(config.to_dict()) == config
    older = {k: v for k, v in config.to_dict().items() if k != "expand"}  # saved before expand
    assert config_from_dict(older).expand is False


@pytest.mark.parametrize("dataset", ["circle", "xor", "gauss", "spiral", "neuron"])
def test_expanding_a_set_that_is_not_images_is_refused(dataset: str) -> None:
    extra = {"hidden": "", "cost": "quadratic"} if dataset == "neuron" else {}
    _, problems = parse_values({"dataset": dataset, "expand": "yes", **extra})
    assert [p.field for p in problems] == ["expand"]
    assert "shifts each training image by a pixel" in problems[0].message
    assert "set expand to no or choose an image set" in problems[0].message
    assert not applies("expand", dataset)
    assert parse_values({"dataset": dataset, "expand": "no", **extra})[1] == []


def test_expand_applies_to_image_sets() -> None:
    for dataset in ("mnist", "fashion-mnist", "/data/my-idx"):
        assert applies("expand", dataset)
        assert make_config(dataset=dataset, expand=True).expand


def test_describe_says_the_data_are_expanded() -> None:
    assert describe(DEFAULTS.replace(expand=True)).startswith("mnist expanded hidden=30 ")
    assert "expanded" not in describe(DEFAULTS)
