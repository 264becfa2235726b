"""Tests of the worker side of a sweep: what Dask imports on every worker brings none of the
client's machinery with it."""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_worker_side_imports_without_the_client() -> None:
    """In a fresh interpreter, as on a worker: importing it loads neither the sweep, its
    executor nor Dask itself (a worker has it already; the preload must not need more)."""
    code = ("import json, sys, nntui.studies.worker; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('nntui.studies', "
            "'distributed')))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout) == ["nntui.studies", "nntui.studies.messages",
                                       "nntui.studies.worker"]

