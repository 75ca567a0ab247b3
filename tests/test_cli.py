"""The command line: options, outputs, and the bad-input table.

Every bad input must give one line on stderr starting with "error:", exit code 2, and
leave the folder exactly as it was (no file written or overwritten).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from styletransfer_tf import cli

from conftest import REPO, gradient_image

FAST = ["--weights", "none", "--quiet", "--content-layers", "conv2_2",
        "--style-layers", "conv1_1,conv2_1", "--optimizer", "adam", "--scales", "1"]


def run_cli(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder):
    return {p.name: p.read_bytes() for p in Path(folder).iterdir() if p.is_file()}


def test_transfer_writes_image_and_history(capsys, image_files, tmp_path):
    content, style = image_files
    out = tmp_path / "result.png"
    code, stdout, _ = run_cli(capsys, "transfer", content, style, "-o", out, "--size", 32,
                              "--steps", 4, "--save-every", 3, *FAST)
    assert code == 0, stdout
    assert Image.open(out).size == (32, 27)
    history = json.loads(out.with_suffix(".json").read_text())
    assert history["settings"]["steps"] == 4 and len(history["total"]) == 5
    assert {p.name for p in tmp_path.glob("result_step*.png")} == {
        "result_step0000.png", "result_step0003.png", "result_step0004.png"}
    assert "wrote" in stdout


def test_transfer_coarse_to_fine(capsys, image_files, tmp_path):
    content, style = image_files
    out = tmp_path / "multi.png"
    fast = [a for a in FAST if a not in ("--scales", "1")]
    code, stdout, _ = run_cli(capsys, "transfer", content, style, "-o", out, "--size", 32,
                              "--scales", 2, "--steps", "3,2", "--save-every", 1, *fast)
    assert code == 0, stdout
    assert Image.open(out).size == (32, 27)
    history = json.loads(out.with_suffix(".json").read_text())
    assert history["scale"] == [0] * 4 + [1] * 3
    assert [tuple(s) for s in history["shapes"]] == [(19, 23), (27, 32)]
    # snapshots of the last scale, numbered after the 3 steps of the first
    assert {p.name for p in tmp_path.glob("multi_step*.png")} == {
        "multi_step0003.png", "multi_step0004.png", "multi_step0005.png"}


def test_ratio_sets_beta(capsys, image_files, tmp_path):
    content, style = image_files
    out = tmp_path / "r.jpg"
    code, _, _ = run_cli(capsys, "transfer", content, style, "-o", out, "--size", 32,
                         "--steps", 1, "--alpha", 2, "--ratio", 1e-3, *FAST)
    assert code == 0
    assert json.loads(out.with_suffix(".json").read_text())["settings"]["beta"] == 2000.0


def test_odd_images_just_work(capsys, tmp_path):
    rgb = Image.fromarray(gradient_image(40, 36))
    content = tmp_path / "cmyk.jpg"
    rgb.convert("CMYK").save(content)
    style = tmp_path / "palette.png"
    rgb.convert("P").save(style)
    code, _, err = run_cli(capsys, "transfer", content, style, "-o", tmp_path / "o.png",
                           "--size", 32, "--steps", 1, *FAST)
    assert code == 0, err


def bad_cases(tmp_path, content, style):
    text = tmp_path / "text.jpg"
    text.write_text("hello")
    good = tmp_path / "good.jpg"
    Image.fromarray(gradient_image(64, 64)).save(good)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[:300])
    tiny = tmp_path / "tiny.png"
    Image.fromarray(gradient_image(6, 6)).save(tiny)
    out = tmp_path / "out.png"
    existing = tmp_path / "existing.png"
    Image.fromarray(gradient_image(5, 5)).save(existing)
    unwritable = tmp_path / "ro"
    unwritable.mkdir(mode=0o555)
    if os.geteuid() == 0:  # root ignores permissions; /proc/sys is read-only even for root
        unwritable = Path("/proc/sys")
    return {
        "missing file": ([tmp_path / "nope.png", style, "-o", out], "no such file"),
        "directory": ([tmp_path, style, "-o", out], "is a directory"),
        "text file named .jpg": ([text, style, "-o", out], "not an image"),
        "truncated JPEG": ([cut, style, "-o", out], "truncated or corrupt"),
        "image too small for layers": ([content, tiny, "-o", out, "--style-size", "original",
                                        "--style-layers", "conv5_1"], "at least 16 px"),
        "size too small for layers": ([content, style, "-o", out, "--size", 10,
                                       "--content-layers", "conv5_2"], "at least 16 px"),
        "--size 0": ([content, style, "-o", out, "--size", 0], "between 1 and"),
        "negative size": ([content, style, "-o", out, "--size", -64], "between 1 and"),
        "absurd size": ([content, style, "-o", out, "--size", 100000], "between 1 and"),
        "--steps 0": ([content, style, "-o", out, "--steps", 0], "--steps must be at least 1"),
        "unknown content layer": ([content, style, "-o", out, "--content-layers", "conv9_9"],
                                  "valid names"),
        "unknown style layer": ([content, style, "-o", out, "--style-layers", "conv1_1,fc7"],
                                "valid names"),
        "output equals input": ([content, style, "-o", content, "--overwrite"], "also an input"),
        "output exists": ([content, style, "-o", existing], "already exists"),
        "unwritable output folder": ([content, style, "-o", unwritable / "o.png"],
                                     "not writable"),
        "missing output folder": ([content, style, "-o", tmp_path / "no" / "o.png"],
                                  "does not exist"),
        "unsupported output format": ([content, style, "-o", tmp_path / "o.gif"], ".png"),
        "weights file missing": ([content, style, "-o", out, "--weights",
                                  tmp_path / "w.h5"], "does not exist"),
        "wrong number of style weights": ([content, style, "-o", out, "--style-weights", "1,2"],
                                          "--style-weights"),
        "non-numeric size": ([content, style, "-o", out, "--size", "big"], "invalid int"),
        "--scales 0": ([content, style, "-o", out, "--scales", 0], "--scales must be at least 1"),
        "steps per scale, wrong count": ([content, style, "-o", out, "--scales", 3, "--steps",
                                          "5,4"], "--steps has 2 values for --scales 3"),
        "a zero in steps per scale": ([content, style, "-o", out, "--scales", 2, "--steps",
                                       "5,0"], "--steps must be at least 1"),
        "non-numeric steps": ([content, style, "-o", out, "--steps", "many"], "one per scale"),
        "--max-seconds 0": ([content, style, "-o", out, "--max-seconds", 0],
                            "--max-seconds must be > 0"),
    }


def test_bad_input_table(capsys, image_files, tmp_path):
    content, style = image_files
    cases = bad_cases(tmp_path, content, style)
    for name, (args, expected) in cases.items():
        before = snapshot(tmp_path)
        try:
            args = [str(a) for a in args]
            code = cli.main(["transfer", *args, "--quiet",
                             *([] if "--steps" in args else ["--steps", "1"])])
        except SystemExit as exc:  # argparse errors
            code = exc.code
        _, err = capsys.readouterr()
        lines = err.strip().splitlines()
        assert code == 2, f"{name}: exit {code}, stderr {err!r}"
        assert len(lines) == 1 and lines[0].startswith("error:"), f"{name}: {err!r}"
        assert expected in lines[0], f"{name}: {lines[0]!r}"
        assert snapshot(tmp_path) == before, f"{name}: files changed"


def test_bad_input_in_a_real_process_is_one_line_without_tensorflow(tmp_path, image_files):
    """What a user sees: for every bad input, exactly one stderr line, exit 2, nothing
    written, and TensorFlow never imported (so none of its start-up logs)."""
    content, style = image_files
    probe = ("import sys, runpy; sys.argv = ['styletransfer_tf', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('styletransfer_tf', run_name='__main__')\n"
             "finally:\n    print('tensorflow' in sys.modules, file=sys.stdout)")
    for name, (args, expected) in bad_cases(tmp_path, content, style).items():
        if name == "weights file missing":
            continue  # same code path as a missing input file; checked in-process above
        before = snapshot(tmp_path)
        args = [str(a) for a in args]
        proc = subprocess.run(
            [sys.executable, "-c", probe, "transfer", *args, "--quiet",
             *([] if "--steps" in args else ["--steps", "1"])],
            capture_output=True, text=True, cwd=REPO, timeout=120,
            env={k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"})
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2, f"{name}: exit {proc.returncode}, {proc.stderr!r}"
        assert len(lines) == 1 and lines[0].startswith("error:"), f"{name}: {proc.stderr!r}"
        assert expected in lines[0], f"{name}: {lines[0]!r}"
        assert proc.stdout.strip() == "False", f"{name}: TensorFlow was imported"
        assert snapshot(tmp_path) == before, f"{name}: files changed"


def test_help_answers_without_importing_tensorflow():
    probe = ("import sys\nfrom styletransfer_tf import cli\n"
             "for argv in (['--help'], ['transfer', '--help'], ['figure', '--help']):\n"
             "    try:\n        cli.main(argv)\n    except SystemExit as exc:\n"
             "        assert exc.code == 0, exc.code\n"
             "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False False"
    assert proc.stderr == ""


def test_non_finite_loss_exit_3_keeps_last_image(capsys, image_files, tmp_path):
    content, style = image_files
    out = tmp_path / "nan.png"
    code, _, err = run_cli(capsys, "transfer", content, style, "-o", out, "--size", 32,
                           "--steps", 3, "--beta", 3e38, *FAST)
    assert code == 3 and "non-finite" in err
    assert out.exists() and "stopped" in json.loads(out.with_suffix(".json").read_text())["settings"]


def test_help_lists_every_option(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["transfer", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for option in ["--size", "--steps", "--alpha", "--beta", "--ratio", "--tv-weight",
                   "--content-layers", "--style-layers", "--init", "--optimizer", "--lr",
                   "--pooling", "--seed", "--weights", "--save-every", "--overwrite"]:
        assert option in text


def test_real_process_exit_code_and_no_traceback(tmp_path):
    """`python -m styletransfer_tf` itself: exit 2, no traceback, one error line."""
    proc = subprocess.run([sys.executable, "-m", "styletransfer_tf", "transfer",
                           str(tmp_path / "missing.jpg"), str(tmp_path / "s.jpg"),
                           "-o", str(tmp_path / "o.png")],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("error: no such file")
    assert list(tmp_path.iterdir()) == []
