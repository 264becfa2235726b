"""How the runs of a study read once they end, the same for ``nntui compare`` and ``nntui sweep``:
the line said as each run ends, and the cells of their tables.

A :class:`VariantResult` is a run of a sweep as it is reported: how it ended, its epochs, and for
Nielsen's neuron its output a per epoch, worked back from its costs
(:func:`~nntui.insight.neuron.neuron_outputs`), so it reads the same wherever it trained.

A missing number reads "—" and a percentage "97.51 %", as these two commands have always
printed them; the run list (:mod:`nntui.render.runs`), packing more columns into a line, writes
"-" and "97.51%".  Neither is wrong, and each command's output stays as people and scripts know
it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from nntui.config import Config
from nntui.engine import EpochReport
from nntui.insight.neuron import neuron_outputs
from nntui.runner.lifecycle import RunEnded
from nntui.status import RunStatus
from nntui.studies.sweep import SweepResult

MISSING = "—"


@dataclass
class VariantResult:
    """How one run of a study went.  ``ended`` is None for a run a stop kept from starting
    (status ``not run``); ``history`` holds its finished epochs, ``outputs`` the neuron's
    (epoch, a) for a neuron run (else empty), ``run_id`` its id in the history."""

    label: str
    config: Config
    ended: RunEnded | None = None
    history: list[EpochReport] = field(default_factory=list)
    outputs: list[tuple[int, float]] = field(default_factory=list)
    run_id: int | None = None

    @classmethod
    def of(cls, result: SweepResult) -> VariantResult:
        """A run of a sweep as it is reported."""
        return cls(result.label, result.config, result.ended, list(result.history),
                   neuron_outputs(result.config, result.history), result.run_id)

    @property
    def status(self) -> str:
        return RunStatus.NOT_RUN if self.ended is None else self.ended.status

    @property
    def final_cost(self) -> float | None:
        """The last epoch's training cost, or for a run that did not measure the training set
        (the neuron: its one example is also its validation set) the held-out cost."""
        if not self.history:
            return None
        last = self.history[-1]
        return last.train_cost if last.train_cost is not None else last.val_cost


def percent(value: float | None) -> str:
    return MISSING if value is None or not math.isfinite(value) else f"{100 * value:.2f} %"


def cost_text(value: float | None) -> str:
    return MISSING if value is None else f"{value:.4f}"


def held_out_of(config: Config) -> str:
    """The split a run's accuracy is measured on: "validation", or "test"."""
    return "test" if config.validate_on == "test" else "validation"


def held_out_heading(configs: Iterable[Config]) -> str:
    """The word a column of these runs' held-out accuracies is headed by: "val.", "test", or
    "held-out" when they are measured on different splits."""
    splits = {held_out_of(config) for config in configs}
    word = splits.pop() if len(splits) == 1 else "held-out"
    return "val." if word == "validation" else word


def best_text(ended: RunEnded) -> str:
    """The best held-out accuracy and its epoch: ``97.51 % (28)``."""
    best = percent(ended.best_val_accuracy)
    if ended.best_val_accuracy is not None:
        best += f" ({ended.best_epoch})"
    return best


def outcome_words(result: VariantResult, signal_name: str = "") -> str:
    """What the line said as a run ends says of it (a run that ran: ``ended`` is set)."""
    ended = result.ended
    assert ended is not None
    if ended.status == "stopped":
        by = f" by {signal_name}" if signal_name else ""
        parts = [f"stopped{by} {ended.detail}".rstrip()]
    elif ended.status in ("diverged", "failed"):
        parts = [ended.message]
    else:
        parts = [ended.status + (f" ({ended.detail})" if ended.detail else "")]
    parts.append(f"{ended.epochs_run} epoch{'' if ended.epochs_run == 1 else 's'}")
    if result.outputs:
        parts.append(f"output a {result.outputs[0][1]:.3f} → {result.outputs[-1][1]:.3f}")
    elif ended.best_val_accuracy is not None:
        parts.append(f"best {held_out_of(result.config)} accuracy "
                     f"{percent(ended.best_val_accuracy)} at epoch {ended.best_epoch}")
    cost = result.final_cost
    if cost is not None and ended.status != "failed":
        parts.append(f"{'training ' if not result.outputs else ''}cost {cost:.4f}")
    if ended.test_accuracy is not None and not result.outputs:
        parts.append(f"test accuracy {percent(ended.test_accuracy)}")
    parts.append(f"{ended.seconds:.1f}s")
    return ", ".join(parts)
