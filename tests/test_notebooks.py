"""The lecture notebooks (notebooks/README.md).

* Each ``notebooks/NN_name.ipynb`` agrees with its jupytext source ``NN_name.py``.
* Each runs headless top to bottom with papermill at a tiny size with random weights and
  the drawn stand-in images (``-p SIZE 48 -p STEPS 2 -p WEIGHTS None -p DOWNLOAD False``),
  into a temporary folder; every cell that prints prints its numbers, and no output shows
  an absolute path of the machine.
* The committed copies are either clean (waiting for their run) or fully executed with
  real weights, without errors and without absolute paths.
"""

import re

import jupytext
import nbformat
import papermill
import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: The test run's parameters (each notebook gets those its parameters cell has).
TINY = {"SIZE": 48, "STEPS": 2, "WEIGHTS": None, "DOWNLOAD": False, "DEMO_SIZE": 48,
        "DEMO_STEPS": 2, "FIG4_STEPS": 2}
#: What an absolute path of a machine looks like in an output.
ABSOLUTE = re.compile(r"(?<![\w.~$])(/home/|/root/|/work/|/tmp/|/Users/|/opt/|[A-Z]:\\)")


def _cells(nb):
    return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _text(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def test_there_are_six_lectures():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_agrees_with_its_text_source(path):
    """Each .ipynb is paired with a percent-format .py (notebooks/jupytext.toml): same cells,
    same types, same sources, same tags. After editing either, `jupytext --sync` it."""
    source = path.with_suffix(".py")
    assert source.is_file(), f"{source.name} is missing: jupytext --sync {path}"
    assert _cells(nbformat.read(path, as_version=4)) == _cells(jupytext.read(source)), (
        f"{path.name} and {source.name} differ: run `jupytext --sync notebooks/{source.name}`")


def test_setup_cell_is_the_same_in_every_lecture():
    setups = {p.name: next(c.source for c in _code(jupytext.read(p.with_suffix(".py")))
                           if "notebook_setup(" in c.source) for p in NOTEBOOKS}
    assert len(set(setups.values())) == 1, setups.keys()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_headless(path, tmp_path, monkeypatch):
    monkeypatch.setenv("STYLETRANSFER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("STYLETRANSFER_IMAGES", str(tmp_path / "no_images"))
    names = papermill.inspect_notebook(str(path))
    parameters = {k: v for k, v in TINY.items() if k in names}
    assert {"SIZE", "STEPS", "WEIGHTS", "DOWNLOAD"} <= set(parameters)
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), parameters=parameters,
                               cwd=str(path.parent), progress_bar=False, kernel_name="python3",
                               execution_timeout=600)
    nb = nbformat.read(out, as_version=4)
    code = _code(nb)
    assert all(c.get("execution_count") for c in code), "a code cell did not run"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    images = [o for c in code for o in c.outputs
              if {"image/png", "image/jpeg"} & set(o.get("data", {}))]
    assert len(images) >= 2, "expected figures in the outputs"
    for cell in code:
        if "print(" in cell.source or "report(" in cell.source or "notebook_setup(" in cell.source:
            assert re.search(r"\d", _text(cell)), f"printed no numbers:\n{cell.source}"
        assert not ABSOLUTE.search(_text(cell)), f"an absolute path in:\n{_text(cell)}"
    setup = next(c for c in code if "notebook_setup(" in c.source)
    assert "RANDOM weights" in _text(setup) and "STAND-IN" in _text(setup)
    assert "float32" in _text(setup)
    if path.name.startswith("03"):
        check = next(c for c in code if "styletransfer_tf.stylize(" in c.source)
        assert _text(check).count("relative difference") == 3
        assert "RMS difference between the two images" in _text(check)
    if path.name.startswith("06"):
        # every stylize run prints one line with its size and cost, the last cell their sum
        # (style_scale 0.5 is skipped at 48 px: the halved painting is too small for conv5_1)
        runs = [line for c in code for line in _text(c).splitlines()
                if re.search(r": \d+x\d+ px, (\d+ s|\d+\.\d min)$", line)
                and not line.startswith("scale ")]
        assert len(runs) == 11, runs
        assert "style_scale=0.5 skipped" in "".join(_text(c) for c in code)
        assert re.search(r"its stylize runs: 11 image\(s\), 11 optimised here in \d",
                         _text(code[-1]))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_clean_or_fully_executed(path):
    """A committed lecture is either waiting for its run (no outputs at all) or was run
    with its own parameters, real weights and no errors; its outputs name no absolute path."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    params = next(c for c, t in zip(nb.cells, tags) if "parameters" in t)
    assert "SIZE =" in params.source and "STEPS =" in params.source
    assert not any("injected-parameters" in t for t in tags), "run it with its own parameters"
    code = _code(nb)
    executed = [c for c in code if c.get("execution_count") or c.get("outputs")]
    if not executed:
        return
    assert len(executed) == len(code), "partly executed: run the whole notebook"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    setup = next(c for c in code if "notebook_setup(" in c.source)
    assert "VGG19 weights" in _text(setup) and "RANDOM" not in _text(setup)
    for cell in code:
        assert not ABSOLUTE.search(_text(cell)), f"an absolute path in:\n{_text(cell)}"
