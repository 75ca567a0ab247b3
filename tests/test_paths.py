"""Where the kit keeps files: the user's cache folder, never beside the package."""

from pathlib import Path

import pytest

import styletransfer_tf
from styletransfer_tf import normalize, paths


@pytest.fixture
def home(tmp_path, monkeypatch):
    for var in (paths.CACHE_ENV, paths.IMAGES_ENV, "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


def test_cache_dir_is_the_user_cache_folder(tmp_path, monkeypatch, home):
    assert normalize.CACHE_ENV == paths.CACHE_ENV == "STYLETRANSFER_CACHE"
    assert normalize.default_cache_dir() == home / ".cache" / "styletransfer_tf"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert normalize.default_cache_dir() == tmp_path / "xdg" / "styletransfer_tf"
    monkeypatch.setenv(paths.CACHE_ENV, "~/elsewhere")
    assert normalize.default_cache_dir() == home / "elsewhere"
    assert not (home / "elsewhere").exists()  # asking creates nothing


def test_cache_dir_does_not_depend_on_the_package_or_current_folder(tmp_path, monkeypatch,
                                                                     home):
    package = Path(styletransfer_tf.__file__).resolve().parent
    first = paths.user_cache_dir()
    monkeypatch.chdir(package)
    assert paths.user_cache_dir() == first
    assert package.parent not in first.parents and first.is_absolute()


def test_atomic_path_replaces_only_on_success(tmp_path):
    from styletransfer_tf.paths import atomic_path
    target = tmp_path / "result.weights.h5"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.parent == tmp_path and tmp.name.endswith(".weights.h5")
            tmp.write_text("half")
            raise RuntimeError("writer failed")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.weights.h5"]
    with atomic_path(target) as tmp:
        tmp.write_text("new")
        assert target.read_text() == "old"  # nothing visible until the block ends
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.weights.h5"]
