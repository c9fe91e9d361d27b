"""Fixtures shared by the dashboard's server-side tests: the app's Flask test client and the
app as a browser sees it (its components and callbacks, from ``benchmarks/load.py``), so that
requests are built from the app's own dependency list and follow it as it changes."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client():
    import dashboard.app as A

    return A.server.test_client()


@pytest.fixture(scope="module")
def model(client):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import load as L

    return L.AppModel(client.get("/_dash-layout").get_json(),
                      client.get("/_dash-dependencies").get_json())
