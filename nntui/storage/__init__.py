"""What nntui keeps on disk: the run history (SQLite), saved networks, records, safe writes."""
