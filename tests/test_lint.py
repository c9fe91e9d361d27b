"""Lint: ``ruff check .`` and ``mypy sim dashboard`` are clean (rules in pyproject.toml).

Both tools come with the ``test`` extra; a missing one skips its test and says so. mypy keeps
its cache in a temporary directory, so the repository stays clean.
"""
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)


def test_ruff_is_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    res = _run([ruff, "check", "--no-cache", "."])
    assert res.returncode == 0, res.stdout + res.stderr


def test_mypy_on_sim_and_dashboard_is_clean(tmp_path):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    res = _run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy"), "sim",
                "dashboard"])
    assert res.returncode == 0, res.stdout + res.stderr
