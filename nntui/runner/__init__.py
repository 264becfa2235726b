"""One run: config → data → network → trainer, its lifecycle, and the observers that record it."""
