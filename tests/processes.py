"""Process helpers of the tests that check nothing is left running (sweep pools, server
workers): a process's children, whether a process still runs, and waiting for them to end."""
from __future__ import annotations

import subprocess
import time


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid``."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return [int(x) for x in out.split()]


def alive(pid: int) -> bool:
    """Running (a zombie, dead and waiting to be reaped, is not)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_dead(pids: list[int], timeout_s: float) -> list[int]:
    """Wait up to ``timeout_s`` [s] for ``pids`` to end; those still running."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]
