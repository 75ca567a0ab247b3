"""benchmarks/highres.py's bookkeeping (no transfer is run here): the number of scales
for a size, the --steps syntax, per-scale times from a history, the table."""

import importlib.util

from conftest import REPO

spec = importlib.util.spec_from_file_location("highres", REPO / "benchmarks" / "highres.py")
highres = importlib.util.module_from_spec(spec)
spec.loader.exec_module(highres)


def test_scales_keep_the_coarsest_scale_at_most_the_limit():
    assert highres.scales_for(1024, 512) == 3    # 512, 724, 1024
    assert highres.scales_for(2048, 512) == 5    # 512, 724, 1024, 1448, 2048
    assert highres.scales_for(1448, 512) == 4
    assert highres.scales_for(512, 512) == 1
    assert highres.scales_for(256, 256) == 1
    assert highres.scales_for(362, 256) == 2     # 256, 362
    for size in (700, 1024, 2048, 3000):
        sizes = highres.options.pyramid_sizes(size, highres.scales_for(size, 512))
        assert sizes[0] <= 512 < sizes[0] * 2 ** 0.5 + 1 and sizes[-1] == size


def test_steps_syntax():
    assert highres.parse_steps(["3"], [256, 362]) == {256: 3, 362: 3}
    assert highres.parse_steps(["1024:100,60,30", "2048:20"], [1024, 2048]) == \
        {1024: [100, 60, 30], 2048: 20}
    assert highres.parse_steps(None, [1024]) == {}


def test_scale_times_and_table():
    history = {"step": [0, 1, 2, 2, 3], "seconds": [1.0, 2.0, 3.0, 4.0, 6.0],
               "scale": [0, 0, 0, 1, 1]}
    assert highres.scale_times(history) == [(2, 3.0), (1, 3.0)]
    record = {"size": 1024, "shape": [768, 1024], "scale_sizes": [512, 724, 1024],
              "steps": [107, 80, 60], "exit": 0, "wall_s": 700.0, "optimisation_s": 650.0,
              "per_scale": [{"size": s, "iterations": n, "seconds": t} for s, n, t in
                            [(512, 107, 100.0), (724, 80, 150.0), (1024, 60, 400.0)]],
              "peak_rss_bytes": 3 * 2 ** 30, "estimated_peak_bytes": 4 * 2 ** 30,
              "other_cpu_cores": 0.01}
    refused = dict(record, size=4096, shape=[3072, 4096], exit=2, peak_rss_bytes=2 ** 27,
                   error="error: --size 4096 needs about 50 GiB")
    lines = highres.table([record, refused]).splitlines()
    assert len(lines) == 4
    assert "| 1024 | 1024x768 | 512, 724, 1024 | 107, 80, 60 | 11.7 min |" in lines[2]
    assert "| 6.7 |" in lines[2] and "<= 15 min: yes" in lines[2]
    assert "failed (exit 2): error: --size 4096 needs about 50 GiB" in lines[3]
