"""`load_dataset`: one entry point for every data set nntui knows, by name or by folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np

from nntui.datasets.base import Dataset, DatasetError
from nntui.datasets.mnist import (
    file_mode,
    find_fashion_mnist,
    find_idx_files,
    find_mnist,
    mnist_format_dataset,
)
from nntui.datasets.synthetic import SHAPES, neuron_dataset, synthetic_dataset

DATASET_NAMES: tuple[str, ...] = (
    "mnist",
    "fashion-mnist",
    "circle",
    "xor",
    "gauss",
    "spiral",
    "neuron",
)
"""The data sets nntui knows by name; any other name must be a folder of MNIST-format IDX files."""

VALIDATE_ON = ("validation", "test")
DTYPES = ("float32", "float64")


IMAGE_SETS = {
    "mnist": (find_mnist, "MNIST handwritten digits, 28x28 pixels, 10 classes"),
    "fashion-mnist": (find_fashion_mnist,
                      "Fashion-MNIST clothing images, 28x28 pixels, 10 classes"),
}
"""The named image sets in MNIST's format: how to find their files, and what they are."""


def load_dataset(
    name: str,
    *,
    train_size: int = 0,
    validate_on: str = "validation",
    dtype: str = "float32",
    seed: int = 1,
    noise: float = 0.1,
    data_dir: str | os.PathLike | None = None,
    expand: bool = False,
    memory_free: int | None = None,
) -> Dataset:
    """Load a data set split into training, validation and test.

    name:        one of DATASET_NAMES, or the path of a folder holding MNIST-format IDX files.
    train_size:  use only the first N training examples (0: all of them). For the 2-D sets it is
                 the number of points to draw (0: 1000).
    validate_on: "validation" holds back part of the training data, as Nielsen does (for MNIST
                 the last 10,000 of the 60,000 training images); "test" validates on the test set,
                 as Krohn's Keras examples do, which frees all training data for training.
    dtype:       "float32" or "float64", for inputs and targets.
    seed, noise: only for the 2-D sets (see nntui.datasets.synthetic).
    data_dir:    where to find MNIST (otherwise $NNTUI_DATA_DIR, else the copy shipped with nntui).
    expand:      image sets only: add each training image shifted by one pixel up, down, left and
                 right, five times the images, kept as uint8 (see nntui.datasets.expand).
    memory_free: bytes the expanded set may take; more is refused before it is made.

    Raises DatasetError, with a message meant for the person at the keyboard, if anything is wrong.
    """
    if validate_on not in VALIDATE_ON:
        raise DatasetError(f"validate_on must be 'validation' or 'test', not {validate_on!r}.")
    if dtype not in DTYPES:
        raise DatasetError(f"dtype must be 'float32' or 'float64', not {dtype!r}.")
    if isinstance(train_size, bool) or not isinstance(train_size, (int, np.integer)):
        raise DatasetError(f"Training size must be a whole number, not {train_size!r}.")
    if train_size < 0:
        raise DatasetError(f"Training size must be 0 (all) or positive, not {train_size}.")
    train_size = int(train_size)
    float_type = np.dtype(dtype)
    key = name.strip().lower()

    if key in IMAGE_SETS:
        find, description = IMAGE_SETS[key]
        return mnist_format_dataset(key, find(data_dir), description=description,
                                    train_size=train_size, validate_on=validate_on,
                                    dtype=float_type, expand=expand, memory_free=memory_free)
    if expand and (key in SHAPES or key == "neuron"):
        raise DatasetError(f"Only images can be expanded by shifting them a pixel; {key} is not "
                           f"an image set. Turn expand off.")
    if key in SHAPES:
        return synthetic_dataset(
            key,
            train_size=train_size,
            validate_on=validate_on,
            dtype=float_type,
            seed=seed,
            noise=noise,
        )
    if key == "neuron":
        return neuron_dataset(train_size=train_size, validate_on=validate_on, dtype=float_type)

    folder = Path(name).expanduser()
    mode = file_mode(folder)
    if mode is not None and stat.S_ISDIR(mode):
        return mnist_format_dataset(
            folder.name or str(folder),
            find_idx_files(folder),
            description=f"MNIST-format IDX files from {folder}",
            train_size=train_size,
            validate_on=validate_on,
            dtype=float_type,
            expand=expand,
            memory_free=memory_free,
        )
    if mode is not None:
        raise DatasetError(
            f"{name} is a file, not a folder: give the folder that holds the four IDX files."
        )
    raise DatasetError(
        f"Unknown data set {name!r}: choose one of {', '.join(DATASET_NAMES)}, or give the path "
        f"of a folder holding MNIST-format IDX files (no such folder: {folder})."
    )


def dataset_problem(name: str, data_dir: str | os.PathLike | None = None) -> str | None:
    """What keeps data set ``name`` (a name of :data:`DATASET_NAMES` or a folder) from loading
    here, found by looking for its files without reading them; None when nothing does.  The
    2-D sets and the neuron are made, not read, so they always load."""
    key = name.strip().lower()
    try:
        if key in IMAGE_SETS:
            IMAGE_SETS[key][0](data_dir)
        elif key not in SHAPES and key != "neuron":
            folder = Path(name).expanduser()
            mode = file_mode(folder)
            if mode is None:
                raise DatasetError(f"no such folder: {folder}; give a folder holding the four "
                                   f"MNIST-format IDX files")
            if not stat.S_ISDIR(mode):
                raise DatasetError(f"{name} is a file, not a folder: give the folder that holds "
                                   f"the four IDX files")
            find_idx_files(folder)
    except DatasetError as error:
        return str(error)
    return None


def available_datasets(data_dir: str | os.PathLike | None = None) -> tuple[str, ...]:
    """The data sets of :data:`DATASET_NAMES` that load here: Fashion-MNIST only once its files
    are installed (MNIST comes with nntui)."""
    return tuple(name for name in DATASET_NAMES if dataset_problem(name, data_dir) is None)
