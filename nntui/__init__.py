"""nntui: a terminal laboratory for neural networks trained with NumPy mini-batch SGD."""

__version__ = "0.1.0"
