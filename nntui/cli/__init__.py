"""The headless front end: ``nntui train | compare | sweep | runs | inspect``, one module each."""
