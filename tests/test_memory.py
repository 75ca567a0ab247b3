"""The memory check (styletransfer_tf/memory.py): the estimate against the layer shapes
worked out by hand, its growth with the area, and the error a run too large for the
machine gives (one line, exit 2, nothing written, TensorFlow never imported)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from styletransfer_tf import cli, memory
from styletransfer_tf.errors import StyleTransferError

from conftest import REPO

ALL = ["conv4_2", "conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"]
GIB = 2 ** 30


def values_by_hand(height, width, blocks):
    """``(values, pooled shape)``: the values in the input and in every feature map of
    VGG19's first ``blocks`` blocks (convolutions and pooling), each pool's output made by
    NumPy slicing (2x2 windows, an odd last row or column dropped); convolutions keep the
    size."""
    x = np.zeros((height, width), np.uint8)
    total = x.size * 3
    for block, (convs, channels) in enumerate(zip((2, 2, 4, 4, 4), (64, 128, 256, 512, 512))):
        if block >= blocks:
            break
        total += convs * x.size * channels
        x = x[: x.shape[0] // 2 * 2: 2, : x.shape[1] // 2 * 2: 2]  # the pool's output
        total += x.size * channels
    return total, x.shape


def test_feature_values_match_the_layer_shapes_by_hand():
    for height, width in [(341, 512), (37, 53), (1365, 2048), (16, 16)]:
        # up to conv5_1: four full blocks, then conv5_1 on the fourth pool's output
        four, last = values_by_hand(height, width, 4)
        assert memory.feature_values((height, width), ALL) == four + last[0] * last[1] * 512
        # up to pool2 (a style layer set ending there): two full blocks
        assert memory.feature_values((height, width), ["conv1_1", "pool2"]) == \
            values_by_hand(height, width, 2)[0]
    shapes = dict(memory.layer_shapes((37, 53, 3), ALL))
    assert shapes["block1_conv2"] == (37, 53, 64)
    assert shapes["block3_conv1"] == (9, 13, 256)      # 37 -> 18 -> 9, 53 -> 26 -> 13
    assert shapes["block5_conv1"] == (2, 3, 512)       # -> 4 -> 2, -> 6 -> 3
    assert list(shapes)[-1] == "block5_conv1"


def test_estimate_grows_with_the_area_and_the_depth():
    base = memory.BASE_BYTES

    def extra(shape, layers=ALL, **kw):
        return memory.estimate_peak_bytes(shape, layers, **kw) - base

    # sides that are multiples of 16: every pool halves exactly, so doubling both sides
    # gives exactly four times the part that grows with the image
    for optimizer in ("lbfgs", "adam"):
        small = extra((352, 512), optimizer=optimizer)
        assert extra((704, 1024), optimizer=optimizer) == pytest.approx(4 * small, rel=1e-9)
    assert extra((352, 512), optimizer="lbfgs") - extra((352, 512), optimizer="adam") == \
        352 * 512 * 3 * memory.LBFGS_BYTES_PER_VALUE
    assert extra((352, 512), optimizer="adam") == \
        memory.feature_values((352, 512), ALL) * memory.GRADIENT_BYTES_PER_VALUE
    # about 320 feature-map values per pixel up to conv5_1
    assert 310 < memory.feature_values((704, 1024), ALL) / (704 * 1024) < 330
    shallow = extra((352, 512), ["conv1_1"], optimizer="adam")
    assert shallow == (352 * 512 * 3 + 352 * 512 * 64) * memory.GRADIENT_BYTES_PER_VALUE
    assert shallow < extra((352, 512), ["conv1_1", "conv3_1"], optimizer="adam") < \
        extra((352, 512), optimizer="adam")
    # bfloat16 halves the feature maps' part; a large style image counts for its forward pass
    assert extra((352, 512), optimizer="adam", precision="mixed") == \
        extra((352, 512), optimizer="adam") // 2
    big_style = [(352 * 4, 512 * 4)]
    assert extra((352, 512), optimizer="adam", style_shapes=big_style) == \
        memory.feature_values(big_style[0], ALL) * memory.FORWARD_BYTES_PER_VALUE
    assert extra((352, 512), optimizer="adam", style_shapes=[(352, 512)]) == \
        extra((352, 512), optimizer="adam")


def test_estimate_against_the_measured_peaks():
    """The peaks the constants were fitted to (Adam, sample images, 3:2): the estimate is
    above each, and not by more than 30% of it."""
    measured_mib = {(85, 128): 848, (341, 512): 1299, (483, 724): 1861, (683, 1024): 2577}
    for shape, mib in measured_mib.items():
        estimate = memory.estimate_peak_bytes(shape, ALL, "adam") / 2 ** 20
        assert mib < estimate < 1.3 * mib, (shape, estimate, mib)


def test_available_bytes_reads_meminfo(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24684092 kB\nMemFree:        22813800 kB\n"
                       "MemAvailable:   23121796 kB\n")
    assert memory.available_bytes(meminfo) == 23121796 * 1024
    assert memory.available_bytes(tmp_path / "missing") > 0  # os.sysconf on Linux
    status = tmp_path / "status"
    status.write_text("Name:\tpython\nVmRSS:\t  102400 kB\n")
    assert memory.resident_bytes(status) == 100 * 2 ** 20
    assert memory.resident_bytes(tmp_path / "missing") == 0


def test_check_memory_raises_one_line_when_it_does_not_fit():
    shape = (2731, 4096)
    need = memory.estimate_peak_bytes(shape, ALL, "lbfgs")
    assert memory.check_memory(shape, ALL, available=need) == need
    with pytest.raises(StyleTransferError) as info:
        memory.check_memory(shape, ALL, what="--size 4096", available=need - 1)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"--size 4096 needs about {need / GIB:.1f} GiB of memory, "
                               f"this machine has {(need - 1) / GIB:.1f} GiB available")
    assert message.endswith("use a smaller --size")


@pytest.fixture
def little_memory(monkeypatch):
    """A machine with 1 GiB available (and a process holding nothing yet)."""
    monkeypatch.setattr(memory, "available_bytes", lambda *a: GIB)
    monkeypatch.setattr(memory, "resident_bytes", lambda *a: 0)


def test_cli_refuses_a_size_that_does_not_fit(capsys, image_files, tmp_path, little_memory):
    content, style = image_files
    out = tmp_path / "big.png"
    before = sorted(tmp_path.iterdir())
    code = cli.main(["transfer", str(content), str(style), "-o", str(out), "--size", "1024",
                     "--weights", "none", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: --size 1024 needs about ")
    assert "this machine has 1.0 GiB available; use a smaller --size" in err
    assert sorted(tmp_path.iterdir()) == before
    # --no-memory-check skips it (the arguments are then fine)
    args = cli.build_parser().parse_args(["transfer", str(content), str(style), "-o", str(out),
                                          "--size", "1024", "--no-memory-check"])
    cli.check_transfer_args(args)


def test_cli_memory_error_comes_before_tensorflow(image_files, tmp_path):
    """In a real process: exit 2, one stderr line, nothing written, TensorFlow not imported."""
    content, style = image_files
    out = tmp_path / "big.png"
    probe = ("import sys\nfrom styletransfer_tf import cli, memory\n"
             "memory.available_bytes = lambda *a: 2 ** 30\n"
             "memory.resident_bytes = lambda *a: 0\n"
             "code = cli.main(sys.argv[1:])\n"
             "print('tensorflow' in sys.modules)\nsys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", probe, "transfer", str(content), str(style),
                           "-o", str(out), "--size", "2048"],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --size 2048 needs about "), lines
    assert proc.stdout.strip() == "False"
    assert not out.exists() and not Path(out).with_suffix(".json").exists()


def test_stylize_checks_before_building_the_network(monkeypatch, image_files, little_memory):
    from styletransfer_tf import optimize, vgg

    def no_network(*args, **kwargs):
        raise AssertionError("the network was built")

    monkeypatch.setattr(vgg, "feature_extractor", no_network)
    content, style = image_files
    with pytest.raises(StyleTransferError, match=r"^size=1024 needs about .* use a smaller size$"):
        optimize.stylize(content, style, size=1024, weights=None, verbose=False)
    with pytest.raises(AssertionError, match="network was built"):
        optimize.stylize(content, style, size=1024, weights=None, verbose=False,
                         memory_check=False)
