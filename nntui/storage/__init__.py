"""What nntui keeps on disk: the run history (SQLite), saved networks, run records and exports,
each file read without trusting it and written through one safe, atomic write."""
