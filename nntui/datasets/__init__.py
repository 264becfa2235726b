"""Data sets for nntui: MNIST (bundled), Fashion-MNIST and other IDX folders, 2-D toys, one neuron.

    from nntui.datasets import load_dataset
    data = load_dataset("mnist")             # the book's split: 50,000 / 10,000 / 10,000
    data.train.x.shape, data.train.y.shape   # (50000, 784), (50000, 10)

Pure NumPy and the standard library; nothing here knows about the user interface.
"""

from nntui.datasets.base import Dataset, DatasetError, Split
from nntui.datasets.loading import DATASET_NAMES, available_datasets, dataset_problem, load_dataset

__all__ = ["DATASET_NAMES", "Dataset", "DatasetError", "Split", "available_datasets",
           "dataset_problem", "load_dataset"]
