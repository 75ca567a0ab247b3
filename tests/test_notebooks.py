"""Every lecture notebook runs headless top to bottom (tiny SIZE and STEPS, random weights).

The notebooks are executed with nbclient through notebooks/run_notebooks.py, with the
parameters injected after the cell tagged ``parameters`` (papermill-style). Executed
copies go to a temporary folder; the committed notebooks are left alone. About half a
minute per notebook on 2 CPU cores, most of it TensorFlow starting in the kernel.
"""

import importlib.util
import re

import jupytext
import nbformat
import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TINY = {"SIZE": 48, "STEPS": 2, "WEIGHTS": None}


def load_runner():
    spec = importlib.util.spec_from_file_location("run_notebooks",
                                                  REPO / "notebooks" / "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_there_are_five_lectures():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_headless(path, tmp_path, monkeypatch):
    monkeypatch.setenv("STYLETRANSFER_CACHE", str(tmp_path / "cache"))
    runner = load_runner()
    out = tmp_path / path.name
    ok, seconds, error = runner.execute(path, TINY, output=out, timeout=600)
    assert ok, f"{path.name} failed:\n{error}"
    nb = nbformat.read(out, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "a code cell did not run"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, "expected figures in the outputs"
    info = next(c for c in nb.cells if "run-info" in c.metadata.get("tags", []))
    assert "SIZE = 48" in info.source and "RANDOM" in info.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_executed_and_parameterised(path):
    """The committed copies carry their outputs and say how they were made."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    params = next(c for c, t in zip(nb.cells, tags) if "parameters" in t)
    assert "SIZE =" in params.source and "STEPS =" in params.source
    assert not any("injected-parameters" in t for t in tags)
    info = next(c for c, t in zip(nb.cells, tags) if "run-info" in t)
    assert "This copy was executed" in info.source and "real VGG19" in info.source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    size = re.search(r"^SIZE = (\d+)", params.source, re.MULTILINE)
    assert size and int(size.group(1)) >= 256


def _cells(nb):
    return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_agrees_with_its_text_source(path):
    """Each .ipynb is paired with a percent-format .py (notebooks/jupytext.toml): same cells,
    same types, same sources, same tags. After editing either, `jupytext --sync` it."""
    source = path.with_suffix(".py")
    assert source.is_file(), f"{source.name} is missing: jupytext --sync {path}"
    assert _cells(nbformat.read(path, as_version=4)) == _cells(jupytext.read(source)), (
        f"{path.name} and {source.name} differ: run `jupytext --sync notebooks/{source.name}`")
