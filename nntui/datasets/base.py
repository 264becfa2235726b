"""The shapes every data set takes, whatever its source.

A data set is three splits of (inputs, targets, labels). Inputs are rows, one example per row,
so a mini-batch is a slice of rows and the engine multiplies it by the weights in one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class DatasetError(Exception):
    """A data set could not be loaded; the message says what went wrong and what to do."""


@dataclass(frozen=True)
class Split:
    """One split of a data set.

    x:      inputs, shape (m, n_inputs), floating point; or uint8, each value v standing for
            the input v/256 (the scale of the float MNIST splits, exact in any float type), which
            keeps a large image set compact: the engine converts the rows it uses, a mini-batch
            stretch or an evaluation chunk at a time (nntui.engine.inputs).
    y:      targets the cost compares the output with, shape (m, n_outputs), same dtype as x
            (one-hot rows for classification, the raw target for the single-neuron toy).
    labels: the class of each example, shape (m,), int64; accuracy compares these with the
            network's answer.
    """

    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return int(self.x.shape[0])


@dataclass(frozen=True)
class Dataset:
    """Training, validation and test splits plus what the network needs to know about them."""

    name: str
    train: Split
    validation: Split
    test: Split
    n_inputs: int
    n_outputs: int
    description: str
    validation_is_test: bool = False
