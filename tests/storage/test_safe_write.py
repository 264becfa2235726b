"""Tests of writing files safely (``nntui.storage.safe_write``), through every writer: run records,
saved networks and exports are replaced whole through a temporary file (a full disk or a kill
leaves the old version), never written through a link or over a folder, device, FIFO or read-only
file, and get the permissions a plain ``open()`` would leave them.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nntui.config import make_config
from nntui.storage import networks, safe_write
from nntui.storage.errors import RunFileError
from nntui.storage.networks import save_network
from nntui.storage.records import RunRecord, load_run
from nntui.storage.safe_write import check_writable, write_text_atomic


def test_full_disk_gives_run_file_error_and_keeps_the_old_file(tmp_path: Path, trained_pair,
                                                               epoch_report, monkeypatch) -> None:
    path = tmp_path / "run.json"
    record = RunRecord(make_config(), path, save_interval=0)
    record.add_epoch(epoch_report(1))
    before = path.read_text()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(safe_write.json, "dump", full)
    with pytest.raises(RunFileError, match=r"could not write .*No space left"):
        record.add_epoch(epoch_report(2))
    assert path.read_text() == before  # the old version is intact
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no temporary left over

    monkeypatch.undo()
    monkeypatch.setattr(safe_write.os, "replace", full)
    config, network = trained_pair()
    with pytest.raises(RunFileError, match="No space left"):
        save_network(tmp_path / "net.npz", network, config)
    with pytest.raises(RunFileError, match="No space left"):
        save_network(tmp_path / "net.json", network, config)
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no half-written network


def test_unwritable_location(tmp_path: Path, trained_pair) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(RunFileError, match="could not write"):
        RunRecord(make_config(), blocker / "run.json").save()
    config, network = trained_pair()
    with pytest.raises(RunFileError, match="could not write"):
        save_network(blocker / "net.npz", network, config)


def test_full_disk_message_says_the_disk_is_full(tmp_path: Path, trained_pair, monkeypatch) -> None:
    config, network = trained_pair()
    path = save_network(tmp_path / "net.npz", network, config)
    before = path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(networks.np, "savez_compressed", full)
    with pytest.raises(RunFileError, match=r"could not write .*net\.npz.*the disk is full"):
        save_network(path, network, config)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


def _umask(mask: int):
    class Umask:
        def __enter__(self):
            self.old = os.umask(mask)

        def __exit__(self, *exc):
            os.umask(self.old)

    return Umask()


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_get_the_permissions_the_umask_gives(tmp_path: Path, trained_pair, mask: int,
                                                   mode: int) -> None:
    config, network = trained_pair()
    with _umask(mask):
        paths = [save_network(tmp_path / "net.npz", network, config),
                 save_network(tmp_path / "net.json", network, config)]
        RunRecord(config, tmp_path / "run.json").save()
        paths.append(tmp_path / "run.json")
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_a_replaced_file_keeps_its_permissions(tmp_path: Path, trained_pair, mode: int) -> None:
    """As with a plain open(path, "w"): a private record stays private whatever the umask."""
    config, network = trained_pair()
    paths = [tmp_path / "net.npz", tmp_path / "net.json", tmp_path / "run.json",
             tmp_path / "run.csv"]
    for path in paths:
        path.write_text("old")
        path.chmod(mode)
    with _umask(0o022):
        save_network(paths[0], network, config)
        save_network(paths[1], network, config)
        RunRecord(config, paths[2]).save()
        write_text_atomic(paths[3], "epoch\n1\n")
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
        assert path.read_bytes() != b"old"
    assert paths[3].read_text() == "epoch\n1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_the_temporary_file_is_never_more_open_than_the_file_it_replaces(tmp_path: Path,
                                                                       monkeypatch) -> None:
    """The data goes into a temporary file that already has the replaced file's permissions."""
    path = tmp_path / "run.csv"
    path.write_text("old")
    path.chmod(0o600)
    modes = []

    def write(handle) -> None:
        modes.append(stat.S_IMODE(os.fstat(handle.fileno()).st_mode))
        handle.write(b"new")

    with _umask(0o022):
        safe_write.write_atomic(path, "run record", write)
    assert modes == [0o600] and path.read_text() == "new"


def test_a_name_at_the_file_system_limit_still_gets_a_temp_file(tmp_path: Path) -> None:
    path = tmp_path / ("é" * 125 + ".json")  # 255 bytes in UTF-8, the most a name may have
    RunRecord(make_config(), path).save()
    assert load_run(path).config == make_config()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def _old(path: Path, seconds: float = 2 * 3600) -> Path:
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def _file(path: Path, age: float = 0.0) -> Path:
    path.write_text("x")
    return _old(path, age) if age else path


def test_stale_temporary_files_are_removed_when_writing(tmp_path: Path, trained_pair) -> None:
    hours = 2 * 3600
    stale = [
        _file(tmp_path / ".run.json.0123abcd.nntui-tmp", hours),  # this target's
        _file(tmp_path / ".other-run.json.89abcdef.nntui-tmp", hours),  # another target's
        _file(tmp_path / ".run.json.k3_9xq0z", hours),  # what mkstemp left in earlier versions
        _file(tmp_path / ".net.npz.partial.npz", hours),
    ]
    kept = [
        _file(tmp_path / ".run.json.fedcba98.nntui-tmp"),  # young: maybe a write under way
        _file(tmp_path / ".bashrc", hours),  # not ours
        _file(tmp_path / ".notes.k3_9xq0z", hours),  # like mkstemp's, but not beside our target
        _file(tmp_path / ".run.json.0123abcd.nntui-tmp.keep", hours),
    ]
    folder = tmp_path / ".dir.0123abcd.nntui-tmp"
    folder.mkdir()  # not a regular file: left alone
    _old(folder, hours)
    RunRecord(make_config(), tmp_path / "run.json").save()
    config, network = trained_pair()
    save_network(tmp_path / "net.npz", network, config)
    assert not any(path.exists() for path in stale)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["run.json", "net.npz", folder.name, *(p.name for p in kept)])


_KILLED_WRITE = """
import os, signal, sys
from nntui.storage import records, safe_write
from nntui.config import make_config
def die(*args):
    os.kill(os.getpid(), signal.SIGKILL)
safe_write.os.replace = die
records.RunRecord(make_config(), sys.argv[1]).save()
"""


def test_a_write_killed_midway_leaves_a_recognisable_temp_file_that_is_cleaned_up(
        tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    RunRecord(make_config(epochs=2), path).save()
    before = path.read_text()
    done = subprocess.run([sys.executable, "-c", _KILLED_WRITE, str(path)], check=False)
    assert done.returncode == -signal.SIGKILL
    assert path.read_text() == before  # the old version is whole
    (leftover,) = [p for p in tmp_path.iterdir() if p != path]
    assert re.fullmatch(r"\.run\.json\.[0-9a-f]{8}\.nntui-tmp", leftover.name)
    RunRecord(make_config(), path).save()
    assert leftover.exists()  # young: it might belong to a write under way
    _old(leftover)
    RunRecord(make_config(), path).save()
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


@pytest.mark.parametrize("kind", ["network", "run record"])
def test_symlinks_are_never_written_through_or_replaced(tmp_path: Path, trained_pair,
                                                        kind: str) -> None:
    real = tmp_path / "real.json"
    real.write_text("precious")
    link = tmp_path / "out.json"
    link.symlink_to(real)
    with pytest.raises(RunFileError, match=r"out\.json: it is a symbolic link \(to .*real\.json\)"):
        check_writable(link, kind)
    config, network = trained_pair()
    with pytest.raises(RunFileError, match="symbolic link"):
        if kind == "network":
            save_network(link, network, config)
        else:
            RunRecord(config, link).save()
    assert link.is_symlink() and real.read_text() == "precious"
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(RunFileError, match="symbolic link"):
        check_writable(dangling, kind)
    assert not (tmp_path / "nowhere.json").exists()


def test_folders_devices_pipes_and_read_only_files_are_refused(tmp_path: Path,
                                                               trained_pair) -> None:
    folder = tmp_path / "out.npz"
    folder.mkdir()
    with pytest.raises(RunFileError, match=r"it is a folder; give the name of a network file"):
        check_writable(folder, "network")
    with pytest.raises(RunFileError, match="it is a device, not a regular file"):
        check_writable("/dev/null", "run record")
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(RunFileError, match=r"named pipe \(FIFO\), not a regular file"):
        RunRecord(make_config(), fifo).save()
    read_only = tmp_path / "kept.json"
    read_only.write_text("keep me")
    read_only.chmod(0o444)
    config, network = trained_pair()
    with pytest.raises(RunFileError, match=r"kept\.json: the file is read-only"):
        save_network(read_only, network, config)
    assert read_only.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo.json", "kept.json", "out.npz"]


def test_check_writable(tmp_path: Path, monkeypatch) -> None:
    fresh = tmp_path / "new" / "deeper" / "net.npz"
    assert check_writable(fresh, "network") == fresh
    assert not (tmp_path / "new").exists()  # checking creates nothing
    existing = tmp_path / "net.json"
    existing.write_text("old")
    assert check_writable(str(existing), "network") == existing
    assert check_writable(tmp_path / "run.txt", "run record") == tmp_path / "run.txt"
    with pytest.raises(RunFileError, match=r"as '\.pkl' .*name the file \.npz or \.json"):
        check_writable(tmp_path / "net.pkl", "network")
    with pytest.raises(RunFileError, match="a name without a suffix"):
        check_writable(tmp_path / "net", "network")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(RunFileError, match=r"file is a file, not a folder"):
        check_writable(blocker / "sub" / "net.npz", "network")
    with pytest.raises(ValueError, match="kind"):
        check_writable(fresh, "picture")

    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(safe_write.os, "access",  # root may write anywhere: pretend not to be root
                        lambda p, mode: Path(p) != locked and real_access(p, mode))
    with pytest.raises(RunFileError, match=r"permission denied, the folder .*locked is not"):
        check_writable(locked / "net.npz", "network")
    with pytest.raises(RunFileError, match="locked is not writable"):
        RunRecord(make_config(), locked / "sub" / "run.json").save()
    assert list(locked.iterdir()) == []
