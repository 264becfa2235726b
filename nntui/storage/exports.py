"""Exporting a recorded run, the one way both front ends do it (``nntui runs export`` and the runs
screen's ``e``): as JSON, the run record ``nntui train --json`` writes and
:func:`~nntui.storage.records.load_run` reads, or as CSV, one row per epoch.

A file is written through :func:`~nntui.storage.safe_write.write_atomic`, like every file nntui
writes: never through a link or over a folder, device, FIFO or read-only file, replaced whole, with
the permissions a plain ``open()`` would leave.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path
from typing import Any

from nntui.storage.history import RunHistory
from nntui.storage.safe_read import json_limit
from nntui.storage.safe_write import write_text_atomic

FORMATS = ("json", "csv")


def format_for(path: str | os.PathLike) -> str:
    """The format a file name asks for: CSV for a ``.csv`` name, else JSON."""
    return "csv" if Path(path).suffix.lower() == ".csv" else "json"


def export_text(history: RunHistory, run_id: int, fmt: str) -> tuple[str, int]:
    """Run ``run_id`` as the text of a ``fmt`` ("json" or "csv") file, and how many epochs it
    holds.  The JSON is UTF-8 (η stays η); NaN is written as NaN, as Python's JSON reads it."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    record = history.export_json(run_id)
    if fmt == "csv":
        text = epochs_csv(record)
    else:
        text = json.dumps(record, indent=1, allow_nan=True, ensure_ascii=False) + "\n"
    return text, len(record["history"])


def export_run(history: RunHistory, run_id: int, path: str | os.PathLike,
               fmt: str | None = None) -> int:
    """Write run ``run_id`` to ``path`` as ``fmt`` (default: :func:`format_for` the name);
    returns the number of epochs written.  A path that may not be written, or a write that
    fails, raises :class:`~nntui.storage.errors.RunFileError`; an unknown run,
    :class:`~nntui.storage.history.UnknownRunError`."""
    fmt = fmt or format_for(path)
    text, epochs = export_text(history, run_id, fmt)
    # A JSON export is a run record: no larger than nntui reads back.
    write_text_atomic(path, text, kind="run record",
                      limit=json_limit("run record") if fmt == "json" else None)
    return epochs


def epochs_csv(record: dict) -> str:
    """A run record's epochs as CSV: a header, then one row per epoch; the learning speed gets a
    column per layer."""
    layers = max((len(entry["learning_speed"]) for entry in record["history"]), default=0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch", "train_cost", "train_accuracy", "val_cost", "val_accuracy",
                     *(f"learning_speed_{i + 1}" for i in range(layers)), "seconds", "eta",
                     "notes"])
    for entry in record["history"]:
        speed = list(entry["learning_speed"]) + [None] * (layers - len(entry["learning_speed"]))
        writer.writerow([entry["epoch"], *(_csv(entry[key]) for key in (
            "train_cost", "train_accuracy", "val_cost", "val_accuracy")),
            *(_csv(s) for s in speed), _csv(entry["seconds"]), _csv(entry["eta"]),
            "; ".join(entry["notes"])])
    return out.getvalue()


def _csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value).lower()
    return str(value)
