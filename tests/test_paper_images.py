"""Tests for styletransfer_tf.paper_images (no internet needed).

Most tests use small synthetic files with their own checksum table (``table=``) and a
local ``http.server`` on 127.0.0.1 or ``file://`` URLs, fetched through
``keras.utils.get_file`` as real downloads are.  Tests that use the real images
look for them in ``../shared/images`` beside the checkout and are skipped without it.
"""

import argparse
import ast
import functools
import hashlib
import http.server
import re
import socket
import threading
from pathlib import Path

import pytest

from styletransfer_tf import cli
from styletransfer_tf import paper_images as pi
from styletransfer_tf.errors import StyleTransferError

SHARED_IMAGES = Path(__file__).resolve().parents[2] / "shared" / "images"
needs_shared = pytest.mark.skipif(
    not (SHARED_IMAGES / "tubingen.jpg").is_file(),
    reason=f"real paper images not found in {SHARED_IMAGES} (../shared/images beside the checkout)",
)


# --------------------------------------------------------------------------- fixtures


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep pytest output clean
        pass


@pytest.fixture
def serve(monkeypatch):
    """serve(folder) -> 'http://127.0.0.1:PORT' serving that folder; stopped after the test."""
    servers = []
    # get_file uses urllib's default opener: keep a proxy from the environment out of it
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(var, "127.0.0.1,localhost")

    def start(folder):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def synthetic(tmp_path):
    """Two small files in tmp_path/src and a checksum table for them."""
    src = tmp_path / "src"
    src.mkdir()
    contents = {"a.jpg": b"first fake image\n" * 100, "b.jpg": bytes(range(256)) * 300}
    table = {}
    for name, data in contents.items():
        (src / name).write_bytes(data)
        table[name] = pi.PaperImage(
            url=f"https://example.invalid/{name}",
            sha256=hashlib.sha256(data).hexdigest(),
            credit=f"synthetic test file {name}",
        )
    return src, table, contents


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _leftovers(folder):
    """Files in folder other than the finished images (temp files are hidden .part files)."""
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------- the table


def test_table_is_pinned_and_well_formed():
    assert len(pi.PAPER_IMAGES) == 6
    for name, entry in pi.PAPER_IMAGES.items():
        url, sha, credit = entry  # a plain (url, sha256, credit) tuple
        assert url.endswith("/" + name)
        assert url.startswith("https://raw.githubusercontent.com/jcjohnson/")
        assert re.search(r"/[0-9a-f]{40}/", url), "URLs must be pinned to a commit"
        assert re.fullmatch(r"[0-9a-f]{64}", sha)
        assert credit and "\n" not in credit


@needs_shared
def test_table_checksums_match_sources_md():
    sources = (SHARED_IMAGES / "SOURCES.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^- (\S+\.jpg) [0-9a-f]{32} / ([0-9a-f]{64})$", sources, re.M))
    assert listed == {name: e.sha256 for name, e in pi.PAPER_IMAGES.items()}


# --------------------------------------------------------------------------- downloads


def test_download_from_local_http_server(tmp_path, synthetic, serve):
    src, table, contents = synthetic
    base = serve(src)
    dest = tmp_path / "dest"
    messages = []
    paths = pi.download_paper_images(dest, mirror=base, table=table, progress=messages.append)
    assert paths == [dest / "a.jpg", dest / "b.jpg"]
    for name, data in contents.items():
        assert (dest / name).read_bytes() == data
    assert len(messages) == 2 and all("downloaded" in m for m in messages)
    assert _leftovers(dest) == []


def test_download_uses_table_url_without_mirror(tmp_path, synthetic, serve):
    src, table, contents = synthetic
    base = serve(src)
    table = {n: e._replace(url=f"{base}/{n}") for n, e in table.items()}
    paths = pi.download_paper_images(tmp_path / "d", names=["b.jpg"], table=table, progress=None)
    assert paths == [tmp_path / "d" / "b.jpg"]
    assert paths[0].read_bytes() == contents["b.jpg"]
    assert not (tmp_path / "d" / "a.jpg").exists()


def test_download_from_file_urls(tmp_path, synthetic):
    src, table, contents = synthetic
    dest = tmp_path / "dest"
    paths = pi.download_paper_images(dest, mirror=src.as_uri(), table=table, progress=None)
    assert [p.read_bytes() for p in paths] == [contents["a.jpg"], contents["b.jpg"]]


def test_downloads_go_through_keras_get_file_with_sha256(tmp_path, synthetic, monkeypatch,
                                                          capsys):
    import keras
    src, table, contents = synthetic
    calls = []
    real = keras.utils.get_file

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(keras.utils, "get_file", spy)
    messages = []
    pi.download_paper_images(tmp_path / "d", names=["b.jpg"], mirror=src.as_uri(),
                             table=table, progress=messages.append)
    assert len(calls) == 1
    assert calls[0]["origin"] == f"{src.as_uri()}/b.jpg"
    assert calls[0]["file_hash"] == table["b.jpg"].sha256
    assert calls[0]["hash_algorithm"] == "sha256"
    # one line of ours per file; get_file's own progress bar stays quiet
    assert messages == [f"b.jpg: downloaded from {src.as_uri()}/b.jpg (sha256 ok)"]
    assert capsys.readouterr().out == ""


def test_checksum_mismatch_leaves_nothing_behind(tmp_path, synthetic, serve):
    src, table, _ = synthetic
    (src / "a.jpg").write_bytes(b"<html>captive portal</html>")  # corrupted copy
    base = serve(src)
    dest = tmp_path / "dest"
    with pytest.raises(StyleTransferError) as info:
        pi.download_paper_images(dest, names=["a.jpg"], mirror=base, table=table, progress=None)
    message = str(info.value)
    assert "checksum mismatch for a.jpg" in message
    assert table["a.jpg"].sha256 in message
    assert hashlib.sha256(b"<html>captive portal</html>").hexdigest() in message
    assert "\n" not in message
    assert list(dest.iterdir()) == []


def test_unreachable_url_gives_offline_message(tmp_path, synthetic):
    _, table, _ = synthetic
    dest = tmp_path / "dest"
    url = f"http://127.0.0.1:{_closed_port()}"
    before = socket.getdefaulttimeout()
    with pytest.raises(StyleTransferError) as info:
        pi.download_paper_images(dest, mirror=url, table=table, timeout=5, progress=None)
    assert socket.getdefaulttimeout() == before  # --timeout is not left behind
    message = str(info.value)
    assert message.startswith(f"could not download a.jpg from {url}/a.jpg (")
    assert "Are you offline?" in message
    assert "--from DIR" in message and str(dest) in message
    assert "\n" not in message
    assert list(dest.iterdir()) == []


def test_http_404_is_reported(tmp_path, synthetic, serve):
    _, table, _ = synthetic
    base = serve(tmp_path)  # serves a folder without the files
    with pytest.raises(StyleTransferError, match=r"could not download a\.jpg .*HTTP 404"):
        pi.download_paper_images(tmp_path / "d", names=["a.jpg"], mirror=base, table=table,
                                 progress=None)


def test_missing_file_url_is_reported(tmp_path, synthetic):
    _, table, _ = synthetic
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(StyleTransferError, match="could not download a.jpg"):
        pi.download_paper_images(tmp_path / "d", mirror=empty.as_uri(), table=table,
                                 progress=None)


def test_bad_mirror_url(tmp_path, synthetic):
    _, table, _ = synthetic
    with pytest.raises(StyleTransferError, match="bad URL"):
        pi.download_paper_images(tmp_path / "d", mirror="not-a-url", table=table, progress=None)


# --------------------------------------------------------------------------- files already there


def test_skip_if_present(tmp_path, synthetic):
    src, table, contents = synthetic
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "a.jpg").write_bytes(contents["a.jpg"])
    before = (dest / "a.jpg").stat().st_mtime_ns
    messages = []
    # the mirror is unreachable: a.jpg must be skipped without any network access
    url = f"http://127.0.0.1:{_closed_port()}"
    paths = pi.download_paper_images(dest, names=["a.jpg"], mirror=url, table=table,
                                     progress=messages.append)
    assert paths == [dest / "a.jpg"]
    assert (dest / "a.jpg").stat().st_mtime_ns == before
    assert messages == ["a.jpg: already present with the right checksum, skipped"]


def test_wrong_file_is_kept_unless_overwrite(tmp_path, synthetic, serve):
    src, table, contents = synthetic
    base = serve(src)
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "a.jpg").write_bytes(b"something else")
    with pytest.raises(StyleTransferError, match=r"exists but its sha256 is .*--overwrite"):
        pi.download_paper_images(dest, names=["a.jpg"], mirror=base, table=table, progress=None)
    assert (dest / "a.jpg").read_bytes() == b"something else"

    pi.download_paper_images(dest, names=["a.jpg"], mirror=base, table=table, overwrite=True,
                             progress=None)
    assert (dest / "a.jpg").read_bytes() == contents["a.jpg"]
    assert _leftovers(dest) == []


def test_overwrite_keeps_wrong_file_if_new_download_is_also_wrong(tmp_path, synthetic, serve):
    src, table, _ = synthetic
    (src / "a.jpg").write_bytes(b"corrupt on the server too")
    base = serve(src)
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "a.jpg").write_bytes(b"something else")
    with pytest.raises(StyleTransferError, match="checksum mismatch"):
        pi.download_paper_images(dest, names=["a.jpg"], mirror=base, table=table,
                                 overwrite=True, progress=None)
    assert (dest / "a.jpg").read_bytes() == b"something else"
    assert _leftovers(dest) == []


# --------------------------------------------------------------------------- names


def test_unknown_name_lists_valid_names(tmp_path, synthetic):
    _, table, _ = synthetic
    with pytest.raises(StyleTransferError) as info:
        pi.download_paper_images(tmp_path / "d", names=["c.jpg"], table=table, progress=None)
    assert str(info.value) == "unknown paper image(s): c.jpg; valid names: a.jpg, b.jpg"


def test_unknown_name_in_real_table():
    with pytest.raises(StyleTransferError, match="valid names: tubingen.jpg, starry_night.jpg"):
        pi.download_paper_images("unused", names=["mona_lisa.jpg"], progress=None)


def test_names_without_suffix_and_duplicates(tmp_path, synthetic):
    src, table, _ = synthetic
    paths = pi.download_paper_images(tmp_path / "d", names=["b", "b.jpg", "a"],
                                     source_dir=src, table=table, progress=None)
    assert [p.name for p in paths] == ["b.jpg", "a.jpg"]


def test_mirror_and_source_dir_are_exclusive(tmp_path, synthetic):
    src, table, _ = synthetic
    with pytest.raises(StyleTransferError, match="not both"):
        pi.download_paper_images(tmp_path / "d", mirror=src.as_uri(), source_dir=src,
                                 table=table, progress=None)


# --------------------------------------------------------------------------- source_dir


def test_copy_from_source_dir(tmp_path, synthetic):
    src, table, contents = synthetic
    dest = tmp_path / "dest"
    messages = []
    paths = pi.download_paper_images(dest, source_dir=src, table=table, progress=messages.append)
    assert [p.read_bytes() for p in paths] == [contents["a.jpg"], contents["b.jpg"]]
    assert all("copied from" in m for m in messages)
    assert _leftovers(dest) == []


def test_source_dir_missing_file(tmp_path, synthetic):
    src, table, _ = synthetic
    (src / "b.jpg").unlink()
    dest = tmp_path / "dest"
    with pytest.raises(StyleTransferError, match=r"b\.jpg not found in "):
        pi.download_paper_images(dest, source_dir=src, table=table, progress=None)
    assert sorted(p.name for p in dest.iterdir()) == ["a.jpg"]  # a.jpg was fine


def test_source_dir_wrong_file(tmp_path, synthetic):
    src, table, _ = synthetic
    (src / "a.jpg").write_bytes(b"not it")
    dest = tmp_path / "dest"
    with pytest.raises(StyleTransferError, match="checksum mismatch for a.jpg"):
        pi.download_paper_images(dest, names=["a.jpg"], source_dir=src, table=table,
                                 progress=None)
    assert list(dest.iterdir()) == []


def test_source_dir_absent(tmp_path, synthetic):
    _, table, _ = synthetic
    with pytest.raises(StyleTransferError, match="does not exist"):
        pi.download_paper_images(tmp_path / "d", source_dir=tmp_path / "nope", table=table,
                                 progress=None)


# --------------------------------------------------------------------------- real files


@needs_shared
def test_real_files_copy_from_shared(tmp_path):
    dest = tmp_path / "paper"
    paths = pi.download_paper_images(dest, source_dir=SHARED_IMAGES, progress=None)
    assert [p.name for p in paths] == list(pi.PAPER_IMAGES)
    for path in paths:
        assert pi.sha256_of(path) == pi.PAPER_IMAGES[path.name].sha256


@needs_shared
def test_real_files_over_local_http(tmp_path, serve):
    base = serve(SHARED_IMAGES)
    paths = pi.download_paper_images(tmp_path / "paper", names=["wave.jpg", "tubingen.jpg"],
                                     mirror=base, progress=None)
    assert [pi.sha256_of(p) for p in paths] == [
        pi.PAPER_IMAGES["wave.jpg"].sha256, pi.PAPER_IMAGES["tubingen.jpg"].sha256]


# --------------------------------------------------------------------------- paper_image_path


@pytest.fixture
def user_dirs(tmp_path, monkeypatch):
    """A fake home and cache folder; no STYLETRANSFER_* folder variables; cwd elsewhere."""
    for var in (pi.ENV_VAR, "STYLETRANSFER_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path / "xdg" / "styletransfer_tf" / "paper_images"


def test_paper_image_path_search_order(tmp_path, monkeypatch, user_dirs):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (second / "wave.jpg").write_bytes(b"x")
    monkeypatch.setenv(pi.ENV_VAR, str(second))
    assert pi.paper_image_path("wave.jpg", folder=first) == second / "wave.jpg"
    (first / "wave.jpg").write_bytes(b"y")
    assert pi.paper_image_path("wave", folder=first) == first / "wave.jpg"
    monkeypatch.delenv(pi.ENV_VAR)
    assert pi.paper_image_path("wave.jpg") is None
    user_dirs.mkdir(parents=True)
    (user_dirs / "wave.jpg").write_bytes(b"z")
    assert pi.paper_image_path("wave.jpg") == user_dirs / "wave.jpg"
    # one images folder: with $STYLETRANSFER_IMAGES set, the default one is not looked at
    monkeypatch.setenv(pi.ENV_VAR, str(second / "empty"))
    assert pi.paper_image_path("wave.jpg") is None
    # nor images/paper of the checkout or of the current folder
    (Path.cwd() / "images" / "paper").mkdir(parents=True)
    (Path.cwd() / "images" / "paper" / "tubingen.jpg").write_bytes(b"t")
    assert pi.paper_image_path("tubingen.jpg") is None


def test_images_dir_is_in_the_user_cache_not_beside_the_package(tmp_path, monkeypatch,
                                                                 user_dirs):
    assert pi.images_dir() == user_dirs
    monkeypatch.delenv("XDG_CACHE_HOME")
    home_cache = tmp_path / "home" / ".cache" / "styletransfer_tf"
    assert pi.images_dir() == home_cache / "paper_images"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # invalid per XDG: ignored
    assert pi.images_dir() == home_cache / "paper_images"
    monkeypatch.setenv("STYLETRANSFER_CACHE", str(tmp_path / "cache"))
    assert pi.images_dir() == tmp_path / "cache" / "paper_images"
    monkeypatch.setenv(pi.ENV_VAR, "~/pictures")
    assert pi.images_dir() == tmp_path / "home" / "pictures"
    package = Path(pi.__file__).resolve().parent
    for path in (user_dirs, home_cache):
        assert package.parent not in path.parents


def test_module_imports_no_tensorflow_at_load():
    """Keras/TensorFlow load only inside the download (the CLI parses without them)."""
    for module in (pi, pi.paths):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        names = {a.name.split(".")[0] for n in top if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in top
                  if isinstance(n, ast.ImportFrom) and not n.level}
        assert names and not names & {"keras", "tensorflow", "numpy", "PIL"}, names
        relative = {n.module for n in top if isinstance(n, ast.ImportFrom) and n.level}
        assert relative <= {"errors", "paths", None}, relative


def test_paper_image_path_unknown_name():
    with pytest.raises(StyleTransferError, match="valid names"):
        pi.paper_image_path("mona_lisa.jpg")


# --------------------------------------------------------------------------- CLI pair


def _parse(argv):
    parser = argparse.ArgumentParser(prog="download-images")
    cli.add_download_arguments(parser)
    return parser.parse_args(argv)


def test_cli_defaults():
    args = _parse([])
    # no --dest: the folder is chosen when the command runs (pi.images_dir(), see below)
    assert args.dest is None and args.names == []
    assert args.source_dir is None and args.mirror is None and not args.overwrite


def test_cli_writes_where_the_kit_looks(tmp_path, monkeypatch, capsys, synthetic, user_dirs):
    """download-images without --dest fills the folder paper_image_path reads."""
    src, table, contents = synthetic
    monkeypatch.setattr(pi, "PAPER_IMAGES", table)
    assert pi.paper_image_path("b.jpg") is None
    assert cli.download_command(_parse(["--from", str(src), "b.jpg"])) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"1 image(s) ready in {user_dirs}"
    assert pi.paper_image_path("b") == user_dirs / "b.jpg"
    assert (user_dirs / "b.jpg").read_bytes() == contents["b.jpg"]
    assert list(Path.cwd().iterdir()) == []  # nothing in the current folder
    monkeypatch.setenv(pi.ENV_VAR, str(tmp_path / "mine"))
    assert cli.download_command(_parse(["--from", str(src), "a"])) == 0
    assert pi.paper_image_path("a.jpg") == tmp_path / "mine" / "a.jpg"
    assert sorted(p.name for p in user_dirs.iterdir()) == ["b.jpg"]


def test_cli_run_from_folder(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    table = pi.PAPER_IMAGES
    # the CLI uses the real table; give it a real file when available, else check the error
    if (SHARED_IMAGES / "wave.jpg").is_file():
        src = SHARED_IMAGES
        assert cli.download_command(_parse(["--from", str(src), "--dest", str(tmp_path / "d"), "wave.jpg"])) == 0
        assert pi.sha256_of(tmp_path / "d" / "wave.jpg") == table["wave.jpg"].sha256
        assert "1 image(s) ready" in capsys.readouterr().out
    else:
        with pytest.raises(StyleTransferError, match="wave.jpg not found in"):
            cli.download_command(_parse(["--from", str(src), "--dest", str(tmp_path / "d"), "wave.jpg"]))


def test_cli_mirror_and_from_are_exclusive(capsys):
    with pytest.raises(SystemExit):
        _parse(["--from", "x", "--mirror", "y"])


def test_cli_list(capsys, user_dirs):
    assert cli.download_command(_parse(["--list"])) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in pi.PAPER_IMAGES)
    assert out.splitlines()[-1] == f"folder: {user_dirs}"
    assert not user_dirs.exists()  # listing creates nothing
