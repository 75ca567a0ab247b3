"""Fetch the six images used in the paper's figures, each checked by sha256.

Gatys, Ecker & Bethge, "Image Style Transfer Using Convolutional Neural Networks"
(CVPR 2016) show a photograph of the Neckarfront in Tübingen rendered in the styles of
famous paintings.  The kit does not commit those files (the photograph is CC BY 3.0, not
ours, and the repository stays small); users fetch them into one folder,
:func:`images_dir` (``$STYLETRANSFER_IMAGES``, else ``paper_images/`` in the user's cache
folder, e.g. ``~/.cache/styletransfer_tf/paper_images``), where
:func:`paper_image_path` finds them::

    python -m styletransfer_tf download-images              # all six
    python -m styletransfer_tf download-images tubingen.jpg wave.jpg
    python -m styletransfer_tf download-images --from /media/usb/images   # no internet

Where the files come from (pinned commits, so the bytes never change under us):

* ``tubingen.jpg``, ``starry_night.jpg``, ``shipwreck.jpg``, ``the_scream.jpg``:
  Justin Johnson's ``neural-style`` repository,
  https://github.com/jcjohnson/neural-style, commit 07c4b82, ``examples/inputs/``.
* ``composition_vii.jpg``, ``wave.jpg``: Justin Johnson's ``fast-neural-style``
  repository, https://github.com/jcjohnson/fast-neural-style, commit 813c834,
  ``images/styles/``.

Credits and license status are in :data:`PAPER_IMAGES` and in ``images/README.md``.
Downloads go through ``keras.utils.get_file(..., file_hash=SHA256)`` (as the VGG19
weights do); copies from a folder are plain file copies.  Either way the file lands in
a hidden staging folder inside the destination and gets its final name only once its
sha256 is right, because ``get_file`` itself writes straight to its target and leaves a
file with a wrong checksum there: a download that was cut short, a captive-portal page
or a wrong file never replaces a file of yours or stays behind looking like an image.

Keras (and with it TensorFlow) is imported only when something is downloaded, so the
command line can list, copy and report errors without loading TensorFlow.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import socket
import tempfile
import urllib.error
import urllib.parse
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple, Optional

from . import paths
from .errors import StyleTransferError
from .paths import images_dir

__all__ = [
    "PaperImage",
    "PAPER_IMAGES",
    "ENV_VAR",
    "NEURAL_STYLE_URL",
    "FAST_NEURAL_STYLE_URL",
    "images_dir",
    "sha256_of",
    "download_paper_images",
    "paper_image_path",
]


class PaperImage(NamedTuple):
    """One entry of :data:`PAPER_IMAGES`: where to get the file and what it must hash to."""

    url: str
    sha256: str
    credit: str


#: URL prefixes at pinned commits (see the module docstring).
NEURAL_STYLE_URL = (
    "https://raw.githubusercontent.com/jcjohnson/neural-style/"
    "07c4b8299f8fbdafec0c514fc820ff1d7ff62e46/examples/inputs"
)
FAST_NEURAL_STYLE_URL = (
    "https://raw.githubusercontent.com/jcjohnson/fast-neural-style/"
    "813c83441953ead2adb3f65f4cc2d5599d735fa7/images/styles"
)

#: name -> (url, sha256, credit).  Checksums as recorded when the files were collected
#: for the course (listed again in images/README.md).
PAPER_IMAGES: dict[str, PaperImage] = {
    "tubingen.jpg": PaperImage(
        f"{NEURAL_STYLE_URL}/tubingen.jpg",
        "e67d1869f01fd805385c681a80d9ebcf0f70ea4a5fe6127f0606bb1c7f4bf506",
        "Neckarfront in Tübingen, photograph by Andreas Praefcke; CC BY 3.0 "
        "(the paper's content image, Fig. 2/3)",
    ),
    "starry_night.jpg": PaperImage(
        f"{NEURAL_STYLE_URL}/starry_night.jpg",
        "0592ab0f7b51b3ce72608a95e53880bd93971e5b48f93a0ce8dfd3cbccf3d098",
        "The Starry Night, Vincent van Gogh, 1889; public domain",
    ),
    "shipwreck.jpg": PaperImage(
        f"{NEURAL_STYLE_URL}/shipwreck.jpg",
        "4f7cf34e3cd4a5daaf3f421f059ca9a01aaa2a3afd7243d6670c9c8bc001a213",
        "The Shipwreck of the Minotaur, J. M. W. Turner, c. 1805-1810; public domain",
    ),
    "the_scream.jpg": PaperImage(
        f"{NEURAL_STYLE_URL}/the_scream.jpg",
        "f3075cddeb974a9ee1d6418f7f33fd05185a7ac7dcb4288bd2805d499a9dcaee",
        "The Scream (Der Schrei der Natur), Edvard Munch, 1893; public domain",
    ),
    "composition_vii.jpg": PaperImage(
        f"{FAST_NEURAL_STYLE_URL}/composition_vii.jpg",
        "8f992ed4aecd6dd56972d7bc8166761de7c94e670ee6effa8fd05f3daeb33409",
        "Composition VII, Wassily Kandinsky, 1913; public domain",
    ),
    "wave.jpg": PaperImage(
        f"{FAST_NEURAL_STYLE_URL}/wave.jpg",
        "14bcf58a39b7095168f27756d76d0c615bb8954acc5eae9e62c66a9684c2ee2b",
        "The Great Wave off Kanagawa, Katsushika Hokusai, c. 1831; public domain",
    ),
}

#: Environment variable naming the folder that holds the paper's images (see
#: :func:`images_dir`).
ENV_VAR = paths.IMAGES_ENV

_CHECKSUMS_HINT = (
    "checksums are listed in styletransfer_tf/paper_images.py (PAPER_IMAGES) "
    "and images/README.md"
)
#: URL schemes urllib (and so ``get_file``) can fetch.
_SCHEMES = ("http", "https", "ftp", "file")

Progress = Optional[Callable[[str], object]]


# --------------------------------------------------------------------------- helpers


def sha256_of(path) -> str:
    """Return the hex sha256 of the file at ``path`` (read in chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _one_line(text) -> str:
    """Squash an exception's text onto one line (errors here must be one line)."""
    return " ".join(str(text).split()) or "no details"


def _reason(exc: BaseException) -> str:
    """A short human reason for a failed download or copy."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {_one_line(exc.reason)}"
    if isinstance(exc, urllib.error.URLError):
        return _one_line(exc.reason)
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return _one_line(exc.strerror)
    return _one_line(f"{type(exc).__name__}: {exc}")


def _resolve_names(names, table: Mapping[str, PaperImage]) -> list[str]:
    """Validate ``names`` (None = all), keep their order, drop duplicates."""
    if names is None:
        return list(table)
    if isinstance(names, (str, os.PathLike)):
        names = [names]
    wanted: list[str] = []
    unknown: list[str] = []
    for name in names:
        name = _normalise_name(str(name), table)
        if name not in table:
            unknown.append(name)
        elif name not in wanted:
            wanted.append(name)
    if unknown:
        raise StyleTransferError(
            f"unknown paper image(s): {', '.join(unknown)}; "
            f"valid names: {', '.join(table)}"
        )
    return wanted


def _normalise_name(name: str, table: Mapping[str, PaperImage]) -> str:
    """Accept ``"tubingen"`` for ``"tubingen.jpg"``."""
    if name not in table and f"{name}.jpg" in table:
        return f"{name}.jpg"
    return name


def _say(progress: Progress, message: str) -> None:
    if progress is not None:
        progress(message)


@contextlib.contextmanager
def _socket_timeout(seconds: float):
    """``get_file`` takes no timeout; its ``urlretrieve`` uses the socket default."""
    before = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(before)


def _install(part: Path, expected: str, final: Path, name: str, origin: str) -> None:
    """Give the staged file ``part`` its final name if (and only if) its sha256 is right."""
    got = sha256_of(part)
    if got != expected:
        raise StyleTransferError(
            f"checksum mismatch for {name} from {origin}: expected sha256 {expected}, "
            f"got {got}; nothing was written to {final.parent}"
        )
    os.chmod(part, 0o644)
    os.replace(part, final)


# --------------------------------------------------------------------------- public API


def download_paper_images(
    dest=None,
    names: Optional[Iterable[str]] = None,
    mirror: Optional[str] = None,
    source_dir=None,
    overwrite: bool = False,
    timeout: float = 30,
    progress: Progress = print,
    table: Optional[Mapping[str, PaperImage]] = None,
) -> list[Path]:
    """Download (or copy) the paper's images into ``dest``, checking each sha256.

    Args:
        dest: folder to fill (created if needed); default :func:`images_dir`, the folder
            :func:`paper_image_path` reads.
        names: which files, e.g. ``["tubingen.jpg", "wave.jpg"]`` (``"tubingen"`` also
            works); ``None`` means all of :data:`PAPER_IMAGES`.
        mirror: URL prefix under which the files live as ``<mirror>/<name>``, instead
            of the GitHub URLs; ``http(s)://`` and ``file://`` both work.
        source_dir: copy from this local folder instead of downloading (a course USB
            stick, a shared drive); the copies are checksum-checked too.
        overwrite: replace a file in ``dest`` whose checksum is wrong.  A file whose
            checksum is right is never touched.
        timeout: seconds to wait on the network per request.
        progress: called with one line per file (``print`` by default; ``None`` = quiet).
        table: the name -> :class:`PaperImage` table to use (default
            :data:`PAPER_IMAGES`); tests pass their own.

    Returns:
        The paths of the requested files in ``dest``, in request order (including
        files that were already there).

    Raises:
        StyleTransferError: with a one-line message when a name is unknown, a download
            fails (offline, unreachable, HTTP error), a checksum does not match, a file
            is missing from ``source_dir``, or ``dest`` holds a wrong file and
            ``overwrite`` is false.  Files fetched before the failure stay in ``dest``;
            a file that failed is never left there, complete or not.
    """
    table = PAPER_IMAGES if table is None else table
    if mirror is not None and source_dir is not None:
        raise StyleTransferError("give either a mirror URL or a source folder, not both")
    wanted = _resolve_names(names, table)
    dest = images_dir() if dest is None else Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StyleTransferError(f"cannot create folder {dest}: {_reason(exc)}") from None
    if source_dir is not None:
        source_dir = Path(source_dir)
        if not source_dir.is_dir():
            raise StyleTransferError(f"source folder {source_dir} does not exist")

    paths_out: list[Path] = []
    for name in wanted:
        entry = table[name]
        final = dest / name
        paths_out.append(final)

        if final.exists():
            got = sha256_of(final)
            if got == entry.sha256:
                _say(progress, f"{name}: already present with the right checksum, skipped")
                continue
            if not overwrite:
                raise StyleTransferError(
                    f"{final} exists but its sha256 is {got}, not the expected "
                    f"{entry.sha256}; delete it or use --overwrite (overwrite=True)"
                )
            _say(progress, f"{name}: present with a wrong checksum, fetching it again")

        # a hidden staging folder beside the final file: same file system, so the
        # final os.replace is atomic, and removed with whatever is in it on any failure
        with tempfile.TemporaryDirectory(dir=dest, prefix=f".{name}.") as staging:
            part = Path(staging) / name
            if source_dir is not None:
                _copy_one(name, entry, source_dir, part, final)
                _say(progress, f"{name}: copied from {source_dir} (sha256 ok)")
            else:
                url = entry.url if mirror is None else f"{mirror.rstrip('/')}/{name}"
                _download_one(name, entry, url, part, final, timeout)
                _say(progress, f"{name}: downloaded from {url} (sha256 ok)")
    return paths_out


def _copy_one(name: str, entry: PaperImage, source_dir: Path, part: Path, final: Path) -> None:
    src = source_dir / name
    if not src.is_file():
        raise StyleTransferError(f"{name} not found in {source_dir} (looked for {src})")
    try:
        shutil.copyfile(src, part)
    except OSError as exc:
        raise StyleTransferError(f"cannot copy {src}: {_reason(exc)}") from None
    _install(part, entry.sha256, final, name, str(src))


def _download_one(
    name: str, entry: PaperImage, url: str, part: Path, final: Path, timeout: float
) -> None:
    if urllib.parse.urlsplit(url).scheme.lower() not in _SCHEMES:
        raise StyleTransferError(
            f"bad URL {url!r} for {name}: unknown URL type (use http://, https:// or file://)"
        )
    import keras  # here, not at the top: it loads TensorFlow (seconds)

    try:
        # get_file prints "Downloading data from ..." and a progress bar: we print one
        # line per file ourselves
        with _socket_timeout(timeout), contextlib.redirect_stdout(io.StringIO()):
            got = keras.utils.get_file(
                fname=name, origin=url, file_hash=entry.sha256, hash_algorithm="sha256",
                cache_dir=str(part.parent), cache_subdir="")
    except ValueError as exc:
        if part.is_file():  # downloaded, but get_file found the wrong sha256
            _install(part, entry.sha256, final, name, url)  # raises the mismatch error
            return
        raise StyleTransferError(f"bad URL {url!r} for {name}: {_one_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - get_file wraps urllib's errors in Exception
        cause = exc.__context__ if isinstance(exc.__context__, OSError) else exc
        raise StyleTransferError(
            f"could not download {name} from {url} ({_reason(cause)}). Are you offline? "
            f"Copy the files by hand into {final.parent} or use --from DIR; "
            f"{_CHECKSUMS_HINT}"
        ) from None
    if Path(got) != part:  # get_file falls back to /tmp/.keras for unwritable folders
        raise StyleTransferError(f"could not download {name} into {final.parent}")
    _install(part, entry.sha256, final, name, url)


def paper_image_path(name: str, folder=None) -> Optional[Path]:
    """Find one of the paper's images on disk, for notebooks and examples.

    Looks in ``folder`` (if given), then in :func:`images_dir`
    (``$STYLETRANSFER_IMAGES`` or the user cache's ``paper_images/``, where
    ``download-images`` puts them).  ``"tubingen"`` is accepted for ``"tubingen.jpg"``.
    The checksum is not re-checked here (that is :func:`download_paper_images`'s job).

    Returns:
        The first existing path, or ``None`` if the file is in neither place
        (then run ``python -m styletransfer_tf download-images``).

    Raises:
        StyleTransferError: if ``name`` is not one of :data:`PAPER_IMAGES`.
    """
    name = _resolve_names([name], PAPER_IMAGES)[0]
    candidates = [] if folder is None else [Path(folder)]
    candidates.append(images_dir())
    for candidate in candidates:
        path = candidate.expanduser() / name
        if path.is_file():
            return path
    return None
