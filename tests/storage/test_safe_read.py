"""Tests of reading files that may come from anywhere (``nntui.storage.safe_read``): only regular
files are opened, a file too large for its kind is refused before a byte is read, and JSON may not
hold absurd numbers, nesting or bytes that are not UTF-8.  The saved networks and run records are
read through it, so most tests go through their loaders (``refusal`` is why ``load_network``
refuses a file).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nntui.storage import safe_read
from nntui.storage.errors import RunFileError
from nntui.storage.records import load_run
from nntui.storage.safe_read import json_limit, read_json, shown


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_reading_something_that_is_not_a_regular_file(tmp_path: Path, suffix: str,
                                                       refusal) -> None:
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    assert "is a folder, not a network file" in refusal(folder)
    fifo = tmp_path / f"fifo{suffix}"
    os.mkfifo(fifo)  # opening it the usual way would wait for a writer forever
    assert "is a named pipe (FIFO)" in refusal(fifo)


def test_deeply_nested_json_is_refused(tmp_path: Path, refusal) -> None:
    path = tmp_path / "net.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert "nests lists or objects too deeply" in refusal(path)
    record = tmp_path / "run.json"
    record.write_text('{"config": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(RunFileError, match="too deeply"):
        load_run(record)


def test_an_oversized_json_network_is_refused_unread(tmp_path: Path, monkeypatch, refusal) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as handle:  # a sparse file: no disk space, no memory
        handle.truncate(safe_read.MAX_NETWORK_JSON_BYTES + 1)

    def parse(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(safe_read, "parse_json", parse)
    assert "256 MB, too large for a network file" in refusal(path)


def test_a_run_record_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_bytes(b'{"config": "\xff\xfe"}')
    with pytest.raises(RunFileError, match="not UTF-8 text"):
        load_run(path)


def test_each_kind_has_its_limit_for_reading_and_writing(tmp_path: Path, monkeypatch) -> None:
    assert json_limit("network") == safe_read.MAX_NETWORK_JSON_BYTES == 256 * 2**20
    assert json_limit("run record") == safe_read.MAX_RECORD_BYTES == 64 * 2**20
    path = tmp_path / "run.json"
    path.write_text('{"a": [1, 2.5, "x", null]}')
    assert read_json(path, "run record") == {"a": [1, 2.5, "x", None]}
    monkeypatch.setattr(safe_read, "MAX_RECORD_BYTES", 10)
    with pytest.raises(RunFileError, match=r"run\.json is 0 MB, too large for a run record "
                                           r"\(nntui reads at most 0 MB\)$"):
        read_json(path, "run record")
    assert read_json(path, "network") == {"a": [1, 2.5, "x", None]}


def test_a_missing_or_unreadable_file_is_said(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(RunFileError, match=r"^no run record at .*nowhere\.json$"):
        read_json(tmp_path / "nowhere.json", "run record")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(safe_read.os, "open", denied)
    with pytest.raises(RunFileError, match=r"permission denied; make it readable \(chmod u\+r\)"):
        read_json(tmp_path / "run.json", "run record")


@pytest.mark.parametrize(("value", "text"), [
    ("abc", '"abc"'),
    ([1, "a", None], '[1, "a", null]'),
    (list(range(13)), "a list of 13 items"),
    ([[1]], "a list of 1 items"),
    ({"a": 1}, "a JSON object"),
    ("x" * 100, '"' + "x" * 56 + "..."),
])
def test_values_in_messages_are_short(value, text: str) -> None:
    assert shown(value) == text
