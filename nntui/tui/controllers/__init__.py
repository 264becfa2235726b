"""The work behind the app's screens: training, sweeps and inspection, each with its own state."""
