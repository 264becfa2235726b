"""Many runs at once: the books' comparisons and sweeps.

    plan.py           a sweep's runs: --vary read, the combinations checked before any starts
    labels.py         runs named by what sets their configs apart (η=0.025, hidden=30, ...)
    comparisons.py    the books' comparisons, each a few runs of a sweep
    sweep.py          a sweep on the client: its runs' events, history and records; InProcess
    dask_executor.py  the runs on a Dask cluster, local or given: tasks, stops, dead workers
    worker.py         what each Dask worker imports and runs (none of the client's machinery)
    messages.py       what a worker tells the client, encoded there and decoded here
    results.py        how a study's runs read once they end, for nntui compare and nntui sweep
"""
