"""Names for runs that nobody named: what sets each config apart from the others.

A sweep's runs, a comparison's variants without a label of their own and the runs the app lays
over each other are told apart by what differs between their configs (``η=0.025``, ``hidden=30``
/ ``hidden=100``, ``no regularization`` / ``L2 λ=5``), never by a number or a date: a label says
what was compared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from nntui.config import SPECS, Config, format_number
from nntui.presets import preset_of

IGNORED = ("pace", "eval_train")
"""Fields that do not change what a run learns (how fast it is shown; whether the training set is
measured): never named in a label."""

SHORT = {"eta": "η", "momentum": "μ", "neuron_w": "w", "neuron_b": "b", "batch_size": "batch",
         "validate_on": "held-out", "early_stop": "patience", "eta_schedule": "schedule"}
"""The short names of the fields a label names by ``name=value``."""


def difference_labels(configs: Sequence[Config]) -> list[str]:
    """A label per config naming what sets it apart from the others: ``η=0.025``,
    ``hidden=30``/``hidden=100``, ``init=large``, ``no regularization``/``L2 λ=5``,
    ``η=0.25 λ=5`` when two things differ.

    Fields follow the form's order; the pace and whether the training set is measured are left
    out (:data:`IGNORED`).  Configs alike in everything else are numbered (``run 1``, ``run 2``),
    and a label that would repeat gets its place added (``η=0.5 (3)``).  A single config is
    labelled by the preset it is, if any.
    """
    configs = list(configs)
    if not configs:
        return []
    if len(configs) == 1:
        return [preset_of(configs[0]) or "run 1"]
    differing = differing_fields(configs)
    regularization_differs = "regularization" in differing
    if regularization_differs:
        differing.remove("regularization")
        if "lmbda" not in differing:
            differing.append("lmbda")  # "L2 λ=5" says both
        differing.sort(key=list(SPECS).index)
    if not differing:
        return [f"run {i + 1}" for i in range(len(configs))]
    labels = [" ".join(_term(name, c, regularization_differs) for name in differing)
              for c in configs]
    counts = Counter(labels)
    return [f"{label} ({i + 1})" if counts[label] > 1 else label
            for i, label in enumerate(labels)]


def differing_fields(configs: Sequence[Config]) -> list[str]:
    """The fields these configs differ in, in the form's order, leaving out those that change
    nothing learned (:data:`IGNORED`)."""
    return [name for name in SPECS if name not in IGNORED
            and len({_key(getattr(c, name)) for c in configs}) > 1]


def _term(name: str, config: Config, regularization_differs: bool) -> str:
    """How one differing field of ``config`` reads in its label."""
    value = getattr(config, name)
    if name == "lmbda":
        if not regularization_differs:
            return f"λ={format_number(value)}"
        if not config.regularized:
            return "no regularization"
        return f"{config.regularization.upper()} λ={format_number(value)}"
    if name == "train_size":
        return f"{value:,} images" if value else "all images"
    if name == "hidden":
        return "hidden=" + (",".join(str(n) for n in value) or "none")
    if name in ("dataset", "cost", "dtype"):
        return str(value)
    shown = format_number(value) if isinstance(value, float) else str(value)
    return f"{SHORT.get(name, name)}={shown}"


def _key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
