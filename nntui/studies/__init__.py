"""Many runs at once: the books' comparisons and sweeps (plan, runner, Dask executor, worker)."""
