"""The lessons open as notebooks: jupytext pairing, the cells each lesson reads into, the extra.

``notebooks/jupytext.toml`` pairs every lesson (a percent-format ``.py``, the file in git) with
a ``.ipynb`` beside it that keeps the outputs; JupyterLab and ``jupytext --sync`` both follow
it. Saving a lesson from JupyterLab must leave the committed ``.py`` byte for byte as it was.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
CONFIG = NOTEBOOKS_DIR / "jupytext.toml"
LESSONS = sorted(NOTEBOOKS_DIR.glob("[0-9]*.py"))
CELL_MARKER = re.compile(r"^# %%( \[markdown\])?$", re.MULTILINE)


def _jupytext():
    return pytest.importorskip("jupytext", reason="jupytext is missing: pip install -e '.[test]'")


def _toml(path: Path) -> dict:
    try:
        import tomllib
    except ImportError:                                               # Python 3.10
        tomllib = pytest.importorskip("tomli", reason="no TOML reader on Python 3.10")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _copy_lesson(path: Path, into: Path) -> Path:
    shutil.copy(CONFIG, into / CONFIG.name)
    return Path(shutil.copy(path, into / path.name))


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_pairing_config_pairs_each_lesson_with_ipynb(path):
    jupytext = _jupytext()
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_config
    from jupytext.formats import long_form_multiple_formats

    assert CONFIG.is_file()
    assert Path(find_jupytext_configuration_file(str(path.parent))).resolve() == CONFIG.resolve()
    config = load_jupytext_config(str(path))
    formats = config.default_formats(str(path))
    assert formats, f"{CONFIG.name} does not pair {path.name}"
    assert {(f["extension"], f.get("format_name"))
            for f in long_form_multiple_formats(formats)} == {(".ipynb", None), (".py", "percent")}
    assert "-jupytext" in config.notebook_metadata_filter.split(",")
    assert tuple(map(int, jupytext.__version__.split(".")[:2])) >= (1, 16)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_reads_as_a_notebook(path):
    jupytext = _jupytext()
    from jupytext.formats import guess_format

    text = path.read_text(encoding="utf-8")
    assert guess_format(text, ".py")[0] == "percent"
    assert "formats:" not in text.split("# ---", 2)[1], \
        "a format in the header would override the pairing in notebooks/jupytext.toml"
    nb = jupytext.read(path)
    assert nb.metadata["kernelspec"] == {"display_name": "Python 3 (ipykernel)",
                                         "language": "python", "name": "python3"}, \
        "JupyterLab rewrites the kernelspec to ipykernel's own when a lesson is saved"
    kinds = [c.cell_type for c in nb.cells]
    assert len(kinds) == len(CELL_MARKER.findall(text))
    assert set(kinds) == {"markdown", "code"}
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# Lesson")
    assert all("# %%" not in c.source for c in nb.cells)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    calls = [i for i, src in enumerate(code) if "offline_figures()" in src.splitlines()]
    assert calls and calls[0] <= 1, \
        "each lesson starts (after its imports) by saving its figures with an offline HTML copy"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_sync_pairs_the_lesson_and_leaves_it_unchanged(path, tmp_path):
    _jupytext()
    import nbformat
    from jupytext.cli import jupytext as jupytext_cli

    lesson = _copy_lesson(path, tmp_path)
    jupytext_cli(["--sync", "--quiet", str(lesson)])
    paired = lesson.with_suffix(".ipynb")
    assert paired.is_file(), "jupytext --sync did not pair the lesson with a .ipynb"
    assert lesson.read_bytes() == path.read_bytes()
    nb = nbformat.read(paired, as_version=4)
    assert len(nb.cells) == len(CELL_MARKER.findall(path.read_text(encoding="utf-8")))


def test_saving_from_jupyterlab_keeps_outputs_in_ipynb_and_the_py_unchanged(tmp_path):
    """JupyterLab saves through jupytext's contents manager (what double-click and *Open With →
    Notebook* use): outputs go to the ``.ipynb``, the lesson keeps its exact text."""
    jupytext = _jupytext()
    pytest.importorskip("jupyter_server",
                        reason="JupyterLab's server is in the notebooks extra only")
    import nbformat

    lesson = _copy_lesson(LESSONS[0], tmp_path)
    cm = jupytext.TextFileContentsManager(root_dir=str(tmp_path))
    model = cm.get(lesson.name)
    assert model["type"] == "notebook"
    nb = model["content"]
    for n, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        # what running a cell in JupyterLab adds
        cell.execution_count = n + 1
        cell.metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00.000000Z"}
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"cell {n}\n")]
    # and what JupyterLab writes about the kernel it started (ipykernel's own kernelspec)
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    nb.metadata["kernelspec"] = {"display_name": spec.display_name, "language": spec.language,
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    cm.save({"type": "notebook", "content": nb}, lesson.name)

    assert lesson.read_bytes() == LESSONS[0].read_bytes()
    saved = nbformat.read(lesson.with_suffix(".ipynb"), as_version=4)
    assert sum(len(c.get("outputs", [])) for c in saved.cells if c.cell_type == "code") > 0
    reopened = cm.get(lesson.name)["content"]                   # outputs come back on opening
    assert [c.get("outputs") for c in reopened.cells if c.cell_type == "code"] == \
        [c.get("outputs") for c in saved.cells if c.cell_type == "code"]


def _requirement_names(extra: str) -> set[str]:
    from packaging.requirements import Requirement

    extras = _toml(ROOT / "pyproject.toml")["project"]["optional-dependencies"]
    assert extra in extras, f"pyproject.toml has no [{extra}] extra"
    return {Requirement(r).name.lower() for r in extras[extra]}


def test_notebooks_extra_names_jupyterlab_and_jupytext():
    names = _requirement_names("notebooks")
    assert {"jupyterlab", "jupytext", "ipykernel", "nbconvert"} <= names


def test_test_extra_can_execute_and_export_the_lessons():
    """CI installs ``.[test]``: everything the lessons' tests need but JupyterLab itself."""
    assert _requirement_names("notebooks") - {"jupyterlab"} <= _requirement_names("test")


def test_setup_jupyterlab_configures_that_environment_only(tmp_path):
    """``python -m dashboard.notebook setup-jupyterlab``: in the given environment, a double
    click opens a .py as a notebook and JupyterLab stops offering to rebuild itself."""
    import json
    import sys

    from dashboard.notebook import main

    for _ in range(2):                                                 # idempotent
        assert main(["setup-jupyterlab", "--prefix", str(tmp_path)]) == 0
    labconfig = tmp_path / "etc" / "jupyter" / "labconfig"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) \
        == ["etc/jupyter/labconfig/default_setting_overrides.d/neuromod-sim.json",
            "etc/jupyter/labconfig/page_config.d/neuromod-sim.json"]
    viewers = json.loads((labconfig / "default_setting_overrides.d" / "neuromod-sim.json")
                         .read_text())["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers == {"python": "Jupytext Notebook"}

    # the viewer is the one jupytext's JupyterLab extension registers
    static = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext"
    if static.is_dir():
        assert any('"Jupytext Notebook"' in js.read_text(encoding="utf-8", errors="replace")
                   for js in static.rglob("*.js"))


def test_jupyterlab_reads_the_setup(tmp_path):
    """JupyterLab's server merges the .d folders of ``<prefix>/etc/jupyter/labconfig``."""
    manager = pytest.importorskip("jupyter_server.services.config.manager",
                                  reason="JupyterLab's server is in the notebooks extra only")
    from dashboard.notebook import setup_jupyterlab

    setup_jupyterlab(tmp_path)
    labconfig = tmp_path / "etc" / "jupyter" / "labconfig"
    cm = manager.ConfigManager(read_config_path=[str(labconfig)],
                               write_config_dir=str(tmp_path / "unused"))
    assert cm.get("default_setting_overrides")["@jupyterlab/docmanager-extension:plugin"] == \
        {"defaultViewers": {"python": "Jupytext Notebook"}}
    assert cm.get("page_config")["buildCheck"] is False
