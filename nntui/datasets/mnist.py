"""MNIST, Fashion-MNIST and any other folder of MNIST-format IDX files.

An MNIST-format folder holds four IDX files, each optionally gzip-compressed:

    train-images-idx3-ubyte   train-labels-idx1-ubyte     the training set (60,000 for MNIST)
    t10k-images-idx3-ubyte    t10k-labels-idx1-ubyte      the test set (10,000)

Nielsen's book does not use the 60,000 training images as they come: it holds the last 10,000
back as a *validation* set for choosing hyperparameters, trains on the first 50,000, and keeps the
test set for the final word. We derive exactly that split from the IDX files, with pixels scaled
as uint8 / 256, so our training split equals the book's `mnist.pkl.gz` element by element (see
data/README.md). Asking to validate on the test set instead, as Krohn's Keras examples do, frees
all 60,000 training images for training.

Decoding MNIST (unzipping 47 MB) takes a few tenths of a second; the decoded bytes are kept in
memory, so loading the same files again in one process is immediate.
"""

from __future__ import annotations

import functools
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nntui.datasets.base import Dataset, DatasetError, Split
from nntui.datasets.expand import FACTOR, expand_images, expand_labels, expanded_bytes
from nntui.datasets.idx import read_idx_images, read_idx_labels

N_CLASSES = 10
"""MNIST-format data sets have ten classes, labelled 0 to 9."""

FILE_STEMS = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
"""The standard names of the four files, without the optional .gz."""

DATA_DIR_ENV = "NNTUI_DATA_DIR"
"""Environment variable naming a folder with the MNIST IDX files (like the --data-dir flag)."""

FASHION_MNIST_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
"""Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST's IDX files."""

BOOK_VALIDATION_SIZE = 10_000
"""The size of the book's validation set: the last 10,000 of MNIST's 60,000 training images."""

_GET_MNIST_HINT = (
    "To get the files: reinstall nntui (its package carries MNIST), or set NNTUI_DATA_DIR or "
    "pass --data-dir with a folder holding the four MNIST IDX files "
    "(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
    "t10k-labels-idx1-ubyte.gz)."
)

_GET_FASHION_HINT = (
    "To get Fashion-MNIST: `apt-get install dataset-fashion-mnist` (it installs the files under "
    f"{FASHION_MNIST_SYSTEM_DIR}), or download its four IDX files and give the folder's path as "
    "the data set's name."
)


# ----------------------------------------------------------------------------------------------
# Finding the files


@dataclass(frozen=True)
class IdxFolder:
    """The four files of an MNIST-format folder, as found on disk."""

    train_images: Path
    train_labels: Path
    test_images: Path
    test_labels: Path

    def paths(self) -> tuple[Path, Path, Path, Path]:
        return (self.train_images, self.train_labels, self.test_images, self.test_labels)


def _candidate_names(stem: str) -> list[str]:
    """The names a file may have: gzipped or not, and with the dot some mirrors use
    ("train-images.idx3-ubyte") in place of the official hyphen."""
    dotted = stem.replace("-idx", ".idx")
    return [f"{stem}.gz", stem, f"{dotted}.gz", dotted]


def file_mode(path: Path) -> int | None:
    """The ``st_mode`` of `path` (following links), or None if nothing is there.

    Unlike `Path.is_file`, a folder we may not look into raises a DatasetError that says so,
    rather than a PermissionError traceback.
    """
    try:
        return path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except PermissionError:
        raise DatasetError(
            f"Could not look at {path}: permission denied. Give your user read and search access "
            f"to the folder {path.parent} (for example `chmod u+rx {path.parent}`), or copy the "
            f"files to a folder you can read."
        ) from None
    except OSError as error:
        raise DatasetError(f"Could not look at {path}: {error.strerror or error}.") from None


def _is_file(path: Path) -> bool:
    mode = file_mode(path)
    return mode is not None and stat.S_ISREG(mode)


def _is_dir(path: Path) -> bool:
    mode = file_mode(path)
    return mode is not None and stat.S_ISDIR(mode)


def _find_file(directory: Path, stem: str) -> Path | None:
    for name in _candidate_names(stem):
        path = directory / name
        if _is_file(path):
            return path
    return None


def missing_files(directory: Path) -> list[str]:
    """The standard names of the files `directory` lacks (all four if it does not exist)."""
    return [f"{stem}[.gz]" for stem in FILE_STEMS.values() if _find_file(directory, stem) is None]


def find_idx_files(directory: str | os.PathLike) -> IdxFolder:
    """Locate the four IDX files in `directory`, or raise a DatasetError naming the missing ones."""
    directory = Path(directory).expanduser()
    if not _is_dir(directory):
        raise DatasetError(f"Data folder not found: {directory} does not exist or is not a folder.")
    found = {key: _find_file(directory, stem) for key, stem in FILE_STEMS.items()}
    missing = [f"{FILE_STEMS[key]}[.gz]" for key, path in found.items() if path is None]
    if missing:
        raise DatasetError(
            f"{directory} is not an MNIST-format folder: missing {', '.join(missing)}. It needs "
            f"the four IDX files {', '.join(f'{s}[.gz]' for s in FILE_STEMS.values())}."
        )
    return IdxFolder(**found)  # type: ignore[arg-type]


def packaged_mnist_dir() -> Path:
    """The copy of MNIST inside an installed wheel (pyproject force-includes data/mnist there)."""
    return Path(__file__).resolve().parents[1] / "_data" / "mnist"


def repository_mnist_dir() -> Path:
    """The repository's data/mnist, which an editable install (or a source checkout) uses."""
    return Path(__file__).resolve().parents[2] / "data" / "mnist"


def _user_roots(data_dir: str | os.PathLike | None) -> list[tuple[str, Path]]:
    """The folder the user pointed us at, if any: `data_dir`, else $NNTUI_DATA_DIR.

    Returns (where it came from, path) pairs for error messages.
    """
    if data_dir is not None and str(data_dir) != "":
        return [("--data-dir", Path(data_dir).expanduser())]
    env = os.environ.get(DATA_DIR_ENV, "")
    if env:
        return [(f"${DATA_DIR_ENV}", Path(env).expanduser())]
    return []


def mnist_search_path(data_dir: str | os.PathLike | None = None) -> list[tuple[str, Path]]:
    """Where MNIST is looked for, in order, as (description, folder) pairs.

    A folder the user names (`data_dir`, else $NNTUI_DATA_DIR) is the only place searched, so a
    mistyped path is reported instead of silently replaced by the bundled copy; the folder may hold
    the files itself or in an `mnist` subfolder. Without one we use the copy installed with nntui,
    then the repository's data/mnist.
    """
    roots = _user_roots(data_dir)
    if roots:
        label, root = roots[0]
        return [(label, root), (label, root / "mnist")]
    return [
        ("installed with nntui", packaged_mnist_dir()),
        ("nntui's source tree", repository_mnist_dir()),
    ]


def fashion_mnist_search_path(data_dir: str | os.PathLike | None = None) -> list[tuple[str, Path]]:
    """Where Fashion-MNIST is looked for: a `fashion-mnist` subfolder of the user's data folder
    (`data_dir`, else $NNTUI_DATA_DIR), then where Debian's package installs it."""
    places = [(label, root / "fashion-mnist") for label, root in _user_roots(data_dir)]
    places.append(("Debian package dataset-fashion-mnist", FASHION_MNIST_SYSTEM_DIR))
    return places


def _first_complete(places: list[tuple[str, Path]], what: str, hint: str) -> IdxFolder:
    """The first folder in `places` holding all four files, or an error describing every one."""
    report = []
    for label, directory in places:
        if _is_dir(directory):
            missing = missing_files(directory)
            if not missing:
                return find_idx_files(directory)
            report.append(f"  {directory} ({label}): missing {', '.join(missing)}")
        else:
            report.append(f"  {directory} ({label}): no such folder")
    raise DatasetError(f"Could not find {what}. Looked in:\n" + "\n".join(report) + f"\n{hint}")


def find_mnist(data_dir: str | os.PathLike | None = None) -> IdxFolder:
    """Locate MNIST's four files (see `mnist_search_path` for the order)."""
    return _first_complete(mnist_search_path(data_dir), "the MNIST data files", _GET_MNIST_HINT)


def find_fashion_mnist(data_dir: str | os.PathLike | None = None) -> IdxFolder:
    """Locate Fashion-MNIST's four files (see `fashion_mnist_search_path`)."""
    return _first_complete(
        fashion_mnist_search_path(data_dir), "the Fashion-MNIST data files", _GET_FASHION_HINT
    )


# ----------------------------------------------------------------------------------------------
# Reading them


@dataclass(frozen=True)
class IdxArrays:
    """The decoded contents of an MNIST-format folder, as read-only uint8 arrays."""

    train_images: np.ndarray  # (n_train, rows, columns)
    train_labels: np.ndarray  # (n_train,)
    test_images: np.ndarray  # (n_test, rows, columns)
    test_labels: np.ndarray  # (n_test,)


def _file_key(path: Path) -> tuple[str, int, int]:
    """What identifies a file's contents cheaply: its resolved path, size and modification time."""
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def read_idx_folder(folder: IdxFolder) -> IdxArrays:
    """Read and check the four files; repeated calls with unchanged files return cached arrays."""
    try:
        keys = tuple(_file_key(path) for path in folder.paths())
    except PermissionError as error:
        raise DatasetError(
            f"Could not read {error.filename}: permission denied. Give your user access to it and "
            f"its folder (for example `chmod u+rx` on the folder, `chmod u+r` on the file), or "
            f"copy the files to a folder you can read."
        ) from None
    except OSError as error:
        raise DatasetError(f"Could not read {error.filename}: {error.strerror}.") from None
    return _read_idx_files(keys)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=4)
def _read_idx_files(keys: tuple[tuple[str, int, int], ...]) -> IdxArrays:
    """Decode and cross-check the four files named in `keys`.

    The key includes size and modification time, so a file replaced on disk is read afresh. The
    arrays are read-only, so sharing them between callers is safe.
    """
    train_images_path, train_labels_path, test_images_path, test_labels_path = (
        Path(key[0]) for key in keys
    )
    arrays = IdxArrays(
        train_images=read_idx_images(train_images_path),
        train_labels=read_idx_labels(train_labels_path),
        test_images=read_idx_images(test_images_path),
        test_labels=read_idx_labels(test_labels_path),
    )
    for images, labels, images_path, labels_path, split in (
        (arrays.train_images, arrays.train_labels, train_images_path, train_labels_path,
         "training"),
        (arrays.test_images, arrays.test_labels, test_images_path, test_labels_path, "test"),
    ):
        if len(images) == 0:
            raise DatasetError(
                f"{images_path} holds no images (its header says 0); the {split} set needs at "
                f"least one. The file is empty of data, damaged or cut down too far: use a "
                f"complete copy."
            )
        if len(images) != len(labels):
            raise DatasetError(
                f"{images_path} holds {len(images):,} images but {labels_path} holds "
                f"{len(labels):,} labels; each image needs exactly one label. The two files "
                f"probably come from different data sets or one is damaged."
            )
        if len(labels) and int(labels.max()) >= N_CLASSES:
            bad = int(np.argmax(labels >= N_CLASSES))
            raise DatasetError(
                f"{labels_path} has label {int(labels[bad])} at position {bad:,}; MNIST-format "
                f"labels must be 0 to {N_CLASSES - 1}. The file is damaged or not a label file."
            )
    if arrays.train_images.shape[1:] != arrays.test_images.shape[1:]:
        train_size = "x".join(map(str, arrays.train_images.shape[1:]))
        test_size = "x".join(map(str, arrays.test_images.shape[1:]))
        raise DatasetError(
            f"Image sizes do not match: {train_images_path} holds {train_size} images but "
            f"{test_images_path} holds {test_size} images. Use training and test files from the "
            f"same data set."
        )
    return arrays


def clear_cache() -> None:
    """Forget decoded files (mostly for tests and benchmarks)."""
    _read_idx_files.cache_clear()


# ----------------------------------------------------------------------------------------------
# Turning bytes into a data set


def validation_size(n_train: int) -> int:
    """How many of `n_train` training images to hold back for validation.

    MNIST-sized sets (20,000 images or more) hold back the last 10,000, as the book does; smaller
    sets hold back the last sixth (which gives the same 10,000 for MNIST's 60,000).
    """
    return BOOK_VALIDATION_SIZE if n_train >= 2 * BOOK_VALIDATION_SIZE else n_train // 6


def _to_split(images: np.ndarray, labels: np.ndarray, dtype: np.dtype) -> Split:
    """Flatten images to rows of pixels scaled to [0, 1), and one-hot encode the labels.

    Dividing by 256 rather than 255 is what Nielsen's pickle did; it keeps our numbers identical
    to the book's. (Multiplying by 1/256 is exact in floating point, being a power of two.)
    """
    m = len(images)
    x = np.multiply(images.reshape(m, -1), dtype.type(1 / 256), dtype=dtype)
    labels = labels.astype(np.int64)
    y = np.zeros((m, N_CLASSES), dtype=dtype)
    y[np.arange(m), labels] = 1
    return Split(x=x, y=y, labels=labels)


def _expanded_split(images: np.ndarray, labels: np.ndarray, dtype: np.dtype) -> Split:
    """The training split of ``images`` expanded five times (:mod:`nntui.datasets.expand`),
    its pixels left as uint8: rows of v standing for v/256, the scale of :func:`_to_split`."""
    expanded = expand_images(images)
    x = expanded.reshape(len(expanded), -1)
    labels = expand_labels(labels).astype(np.int64)
    y = np.zeros((len(x), N_CLASSES), dtype=dtype)
    y[np.arange(len(x)), labels] = 1
    return Split(x=x, y=y, labels=labels)


def mnist_format_dataset(
    name: str,
    folder: IdxFolder,
    *,
    description: str,
    train_size: int = 0,
    validate_on: str = "validation",
    dtype: np.dtype,
    expand: bool = False,
    memory_free: int | None = None,
) -> Dataset:
    """Build a Dataset from an MNIST-format folder, splitting off validation as the book does.

    validate_on="validation": training = the first n - v training images, validation = the last v
    (v = `validation_size(n)`), test = the t10k files. validate_on="test": validation is the test
    set and all n training images are available. `train_size` N > 0 keeps the first N of the
    available training images; 0 keeps them all.  `expand` adds each kept training image shifted
    by a pixel four ways (:mod:`nntui.datasets.expand`), five times the images, as uint8; when
    `memory_free` (bytes) is given and the expanded set would not fit in it, a DatasetError says
    so before anything is allocated.
    """
    arrays = read_idx_folder(folder)
    n = len(arrays.train_images)
    test = _to_split(arrays.test_images, arrays.test_labels, dtype)

    if validate_on == "test":
        available = n
        validation = test
    else:
        n_validation = validation_size(n)
        available = n - n_validation
        if n_validation == 0 or available == 0:
            raise DatasetError(
                f"{folder.train_images} holds only {n} training image(s), too few to hold some "
                f"back for validation; validate on the test set instead."
            )
        validation = _to_split(
            arrays.train_images[available:], arrays.train_labels[available:], dtype
        )

    if train_size > available:
        raise DatasetError(
            f"Training size {train_size:,} is more than {name} has: at most {available:,} "
            f"training images are available when validating on the {validate_on} set"
            + (" (validate on the test set to train on all of them)." if available < n else ".")
        )
    m = train_size or available
    if expand:
        rows, columns = arrays.train_images.shape[1:]
        needed = expanded_bytes(m, rows * columns, N_CLASSES, dtype)
        if memory_free is not None and needed > memory_free:
            raise DatasetError(
                f"Expanding {m:,} training images to {FACTOR * m:,} needs about "
                f"{needed / 2**30:.2f} GiB but only {max(memory_free, 0) / 2**30:.2f} GiB is "
                f"free. Expand fewer images (a smaller training size) or turn expand off."
            )
        train = _expanded_split(arrays.train_images[:m], arrays.train_labels[:m], dtype)
        description += f"; training set expanded {FACTOR}× by one-pixel shifts"
    else:
        train = _to_split(arrays.train_images[:m], arrays.train_labels[:m], dtype)
    return Dataset(
        name=name,
        train=train,
        validation=validation,
        test=test,
        n_inputs=int(train.x.shape[1]),
        n_outputs=N_CLASSES,
        description=description,
        validation_is_test=validate_on == "test",
    )
