"""The work behind the dashboard, each part with its own state: a run and its worker, the
hyperparameters from the keyboard, sweeps, the books' comparisons, looking inside a network, and
the pinned runs."""
