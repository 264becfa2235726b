"""Inputs stored as bytes: what a uint8 value stands for, and its conversion to floats.

A training set may keep its inputs as ``uint8`` (Nielsen's expanded MNIST holds 250,000 images:
196 MB as bytes, 784 MB as float32).  A value v then stands for the input

    x = v / 256

the scale of the MNIST splits kept as floats (nntui.datasets.mnist divides by 256, as Nielsen's
pickle did; 1/256 is a power of two, so v/256 is exact in any float type).  The same bytes given
as floats and as uint8 therefore train to the same bits.  The engine converts a few rows at a
time, where it uses them: the trainer each stretch of shuffled examples it gathers, the forward
pass each chunk it evaluates; no float copy of a whole uint8 set is ever made.
"""

from __future__ import annotations

import numpy as np

# What one unit of a uint8 input stands for (exact in every float type: a power of two).
UINT8_SCALE = 1 / 256


def is_bytes(x: np.ndarray) -> bool:
    """Whether ``x`` holds inputs as uint8 bytes, each v standing for v·UINT8_SCALE."""
    return x.dtype == np.uint8


def as_floats(x: np.ndarray, dtype: np.dtype, out: np.ndarray | None = None) -> np.ndarray:
    """``x`` as inputs of ``dtype``: uint8 bytes scaled by UINT8_SCALE, anything else converted
    as it is (no copy when it already has ``dtype``).  With ``out`` the bytes land there.

    The bytes are multiplied in ``dtype`` (v → float v, times the scale), the way the float MNIST
    splits were made, so the two agree to the last bit.
    """
    dtype = np.dtype(dtype)
    if not is_bytes(x):
        return np.asarray(x, dtype=dtype)
    return np.multiply(x, dtype.type(UINT8_SCALE), out=out, dtype=dtype)
