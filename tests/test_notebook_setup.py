"""The lectures' setup: bfloat16 detection (hardware.py), what notebook_setup finds and
prints (notebook.py), and the setup cell's install of the kit, offline: a copy of the
repository in a temporary folder stands in for the git repository."""

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap

import jupytext
import pytest

from conftest import REPO
from styletransfer_tf import hardware, notebook, paths
from styletransfer_tf.errors import StyleTransferError

# ------------------------------------------------------------------------------ hardware


@pytest.mark.parametrize("gpus, fast, words", [
    ([("NVIDIA A100", (8, 0))], True, "compute capability 8.0"),
    ([("NVIDIA H100", (9, 0))], True, "9.0"),
    ([("Tesla T4", (7, 5))], False, "7.5 (< 8.0"),
    ([("some GPU", None)], False, "unknown"),
])
def test_a_gpu_decides_by_its_compute_capability(gpus, fast, words):
    support = hardware.bfloat16_support(flags={"avx512_bf16"}, gpus=gpus)
    assert support.fast is fast and words in support.reason and gpus[0][0] in support.reason


@pytest.mark.parametrize("flags, fast, words", [
    ({"sse2", "avx512f", "avx512_bf16"}, True, "avx512_bf16"),
    ({"sse2", "amx_bf16", "amx_tile"}, True, "amx_bf16"),
    ({"sse2", "avx2", "avx512f"}, False, "neither avx512_bf16 nor amx_bf16"),
    (None, False, "unknown"),
])
def test_without_a_gpu_the_cpu_flags_decide(flags, fast, words):
    support = hardware.bfloat16_support(flags=flags, gpus=[])
    assert support.fast is fast and words in support.reason


def test_cpu_flags_come_from_the_flags_line(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse2 avx512_bf16\n"
                    "processor\t: 1\nflags\t\t: fpu\n")
    assert hardware.cpu_flags(info) == {"fpu", "sse2", "avx512_bf16"}
    assert hardware.cpu_flags(tmp_path / "missing") is None
    (tmp_path / "noflags").write_text("processor\t: 0\n")
    assert hardware.cpu_flags(tmp_path / "noflags") is None


def test_defaults_read_this_machine(monkeypatch):
    monkeypatch.setattr(hardware, "gpu_capabilities", lambda: [])
    monkeypatch.setattr(hardware, "cpu_flags", lambda: {"amx_bf16"})
    assert hardware.bfloat16_support() == (True, "no GPU; CPU flag amx_bf16 in /proc/cpuinfo")


# ------------------------------------------------------------------------------ precision

FAST = hardware.Bfloat16Support(True, "CPU flag avx512_bf16")
SLOW = hardware.Bfloat16Support(False, "neither flag")


def test_float32_is_the_default_and_asks_nothing(monkeypatch):
    monkeypatch.setattr(hardware, "bfloat16_support", lambda: pytest.fail("asked"))
    assert notebook.choose_precision()[0] == "float32"
    assert notebook.choose_precision("float32", "lbfgs")[0] == "float32"


def test_auto_uses_bfloat16_only_where_it_is_fast():
    precision, note = notebook.choose_precision("auto", support=FAST)
    assert precision == "mixed" and "avx512_bf16" in note
    precision, note = notebook.choose_precision("auto", support=SLOW)
    assert precision == "float32" and "neither flag" in note
    assert notebook.choose_precision("auto", "lbfgs", support=FAST)[0] == "float32"


def test_mixed_as_asked_with_a_warning_where_slow():
    assert notebook.choose_precision("mixed", support=FAST)[0] == "mixed"
    precision, note = notebook.choose_precision("mixed", support=SLOW)
    assert precision == "mixed" and "NOT fast" in note
    with pytest.raises(StyleTransferError, match="L-BFGS"):
        notebook.choose_precision("mixed", "lbfgs", support=FAST)
    with pytest.raises(StyleTransferError, match="PRECISION"):
        notebook.choose_precision("bfloat16")


# ------------------------------------------------------------------------------ paths, weights


def test_paths_are_shown_relative_to_the_folder_set(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.IMAGES_ENV, str(tmp_path / "pics"))
    monkeypatch.delenv(paths.CACHE_ENV, raising=False)
    assert notebook.shown_path(tmp_path / "pics" / "tubingen.jpg") == "$STYLETRANSFER_IMAGES/tubingen.jpg"
    sample = notebook.shown_path(REPO / "styletransfer_tf" / "data" / "sample_content.png")
    assert sample == "styletransfer_tf/data/sample_content.png"
    assert notebook.shown_path("/somewhere/else/wave.jpg") == "wave.jpg"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert notebook.shown_path(tmp_path / "home" / ".keras" / "x.h5") == "~/.keras/x.h5"


def test_weights_are_named_by_checksum(tmp_path, monkeypatch):
    weights = tmp_path / "vgg19_notop.h5"
    weights.write_bytes(b"not really weights")
    assert "does not know" in notebook.weights_kind(weights)
    monkeypatch.setattr(notebook, "QUANTISED_WEIGHTS_SHA256",
                        hashlib.sha256(weights.read_bytes()).hexdigest())
    assert "8-bit quantised copy of the ImageNet weights" in notebook.weights_kind(weights)
    monkeypatch.setenv("STYLETRANSFER_VGG19_WEIGHTS", str(weights))
    given, note = notebook.describe_weights("imagenet")
    assert given == "imagenet" and note.startswith("$STYLETRANSFER_VGG19_WEIGHTS (vgg19_notop.h5)")
    assert str(tmp_path) not in note
    given, note = notebook.describe_weights(None)
    assert given is None and "RANDOM" in note


# ------------------------------------------------------------------------------ images


def test_setup_says_which_images_stand_in(tmp_path, monkeypatch):
    folder = tmp_path / "pics"
    folder.mkdir()
    (folder / "tubingen.jpg").write_bytes(b"x")  # found by name; download-images checks sums
    monkeypatch.setenv(paths.IMAGES_ENV, str(folder))
    lines = []
    setup = notebook.notebook_setup(weights=None, download=False, say=lines.append)
    assert setup.precision == "float32" and setup.weights is None
    assert setup.images["tubingen"] == "$STYLETRANSFER_IMAGES/tubingen.jpg"
    assert setup.stand_ins == ["starry_night", "shipwreck", "the_scream", "composition_vii", "wave"]
    text = "\n".join(lines)
    assert text == setup.summary
    assert "1 of the paper's 6 found in $STYLETRANSFER_IMAGES" in text
    assert "STAND-IN styletransfer_tf/data/sample_style.png" in text
    assert str(tmp_path) not in text and str(REPO) not in text


def test_missing_images_are_downloaded_or_the_failure_said(tmp_path, monkeypatch):
    from styletransfer_tf import paper_images
    folder = tmp_path / "pics"
    monkeypatch.setenv(paths.IMAGES_ENV, str(folder))
    asked = []

    def fake_download(names, progress):
        asked.append(names)
        folder.mkdir(exist_ok=True)
        for name in names:
            (folder / name).write_bytes(b"x")

    monkeypatch.setattr(paper_images, "download_paper_images", fake_download)
    lines = []
    images, stand_ins = notebook.find_images(download=True, say=lines.append)
    assert asked == [[f"{n}.jpg" for n in notebook.IMAGE_NAMES]] and stand_ins == []
    assert lines == ["downloaded 6 of the paper's images into $STYLETRANSFER_IMAGES (as "
                     "`python -m styletransfer_tf download-images` does)"]

    def offline(names, progress):
        raise StyleTransferError(f"could not download tubingen.jpg; copy it into {folder / 'x'}")

    monkeypatch.setattr(paper_images, "download_paper_images", offline)
    monkeypatch.setenv(paths.IMAGES_ENV, str(tmp_path / "empty"))
    folder = tmp_path / "empty"
    lines.clear()
    images, stand_ins = notebook.find_images(download=True, say=lines.append)
    assert len(stand_ins) == 6 and "could not download" in lines[0]
    assert str(tmp_path) not in lines[0] and "$STYLETRANSFER_IMAGES/x" in lines[0]


def test_report_says_what_ran_and_what_came_from_the_cache():
    from types import SimpleNamespace as NS
    fresh = NS(seconds=90.0, batch=2, cached=False)
    results = [fresh, NS(seconds=90.0, batch=2, cached=False), NS(seconds=30.0, batch=1, cached=True)]
    result = NS(title="Fig. X", results=results, compute_seconds=120.0, notes=["Adam"])
    lines = []
    notebook.report(result, say=lines.append)
    assert lines[0] == "Fig. X: 3 image(s); optimised here in 1.5 min; 1 from the cache (they took 30 s when they ran)"
    assert lines[1] == "differences from the paper:\n  - Adam"


# ------------------------------------------------------------------------------ the install


def _setup_cell():
    lectures = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))
    cells = [c.source for p in lectures
             for c in jupytext.read(p).cells if c.cell_type == "code" and "KIT = " in c.source]
    assert len(lectures) >= 6 and len(cells) == len(lectures), "a lecture lacks the setup cell"
    assert len(set(cells)) == 1, "the setup cell differs between lectures"
    return cells[0]


def _repository_copy(dest):
    """What pip needs of the repository: a stand-in for the git repository, offline."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, dest / name)
    shutil.copytree(REPO / "styletransfer_tf", dest / "styletransfer_tf",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@pytest.mark.slow
def test_setup_cell_installs_the_kit_where_it_is_missing(tmp_path):
    """The setup cell, run in a Python where ``import styletransfer_tf`` fails, installs the
    kit from the folder KIT names (pip, no dependencies, no index, into a target folder) and
    goes on to the setup; the kit is then imported from there."""
    source = _setup_cell()
    repository = _repository_copy(tmp_path / "repository")
    cell = source.replace('KIT = "git+https://github.com/OWNER/styletransfer_tf.git"',
                          f"KIT = {str(repository)!r}")
    assert cell != source, "the setup cell no longer sets KIT on one line"
    target = tmp_path / "site"
    target.mkdir()
    script = tmp_path / "cell.py"
    script.write_text(textwrap.dedent("""\
        WEIGHTS, PRECISION, PRESET, DOWNLOAD = None, "float32", "fast", False
        try:
            import styletransfer_tf
            raise SystemExit("the kit was importable before the install")
        except ImportError:
            pass
        """) + cell + "\nprint('KIT FROM', styletransfer_tf.__file__)\n")
    site_packages = next(p for p in sys.path if p.endswith("site-packages"))
    env = {**os.environ,
           # python -S: no site-packages, so no editable install of the kit; the kit's
           # dependencies (numpy, TensorFlow) come from this Python's site-packages
           "PYTHONPATH": os.pathsep.join([str(target), site_packages]),
           # what pip does in the cell: offline, just the kit, into the target folder, built
           # with this Python's setuptools ("0" turns build isolation off: pip reads this
           # variable inverted)
           "PIP_TARGET": str(target), "PIP_NO_DEPS": "1", "PIP_NO_INDEX": "1",
           "PIP_NO_BUILD_ISOLATION": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "STYLETRANSFER_IMAGES": str(tmp_path / "no_images")}
    done = subprocess.run([sys.executable, "-S", str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"KIT FROM {target}" in done.stdout
    assert "RANDOM weights" in done.stdout and "STAND-IN" in done.stdout
    assert (target / "styletransfer_tf" / "notebook.py").is_file()


def test_finest_scale_takes_the_last_scale_only():
    history = {"scale": [0, 0, 0, 1, 1, 2, 2, 2], "content": [9, 5, 4, 30, 20, 80, 60, 50]}
    assert notebook.finest_scale(history, "content") == (80, 50)
    assert notebook.finest_scale({"content": [3.0, 2.0, 1.0]}, "content") == (3.0, 1.0)
    with pytest.raises(ValueError, match="scale indices"):
        notebook.finest_scale({"scale": [0, 1], "content": [1.0]}, "content")


def test_time_taken_counts_a_batch_once_and_the_cached_images():
    from types import SimpleNamespace as NS
    batch = [NS(seconds=120.0, batch=2, cached=False), NS(seconds=120.0, batch=2, cached=False)]
    alone = [NS(seconds=60.0, batch=1, cached=True)]
    figures = [NS(results=batch), NS(results=alone)]
    line = notebook.time_taken(figures, NS(minutes=lambda: 0.5))
    assert line == ("this notebook ran for 0.5 min; the optimisations behind its 3 images "
                    "took 3.0 min when they ran (1 of them were taken from the cache)")
