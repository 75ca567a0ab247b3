"""Fetch the six images used in the paper's figures, each checked by sha256.

Gatys, Ecker & Bethge, "Image Style Transfer Using Convolutional Neural Networks"
(CVPR 2016) show a photograph of the Neckarfront in Tübingen rendered in the styles of
famous paintings.  The kit does not commit those files (the photograph is CC BY 3.0, not
ours, and the repository stays small); instead users with internet fetch them into a
git-ignored folder (default ``images/paper/``) with::

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
Every file is compared with its sha256 before it is given its final name, so a
download that was cut short, a captive-portal HTML page or a wrong file is never left
behind looking like a real image.

Only the standard library is used (no TensorFlow import), so this module is cheap to
import from the CLI and from notebooks.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple, Optional

from .errors import StyleTransferError

__all__ = [
    "PaperImage",
    "PAPER_IMAGES",
    "DEFAULT_DEST",
    "ENV_VAR",
    "NEURAL_STYLE_URL",
    "FAST_NEURAL_STYLE_URL",
    "sha256_of",
    "download_paper_images",
    "paper_image_path",
    "add_arguments",
    "run",
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

#: Where ``download-images`` puts the files by default (relative to the current folder).
DEFAULT_DEST = "images/paper"

#: Environment variable naming a folder that holds the paper's images (see
#: :func:`paper_image_path`).
ENV_VAR = "STYLETRANSFER_IMAGES"

_CHECKSUMS_HINT = (
    "checksums are listed in styletransfer_tf/paper_images.py (PAPER_IMAGES) "
    "and images/README.md"
)
_CHUNK = 1 << 16
# No paper image is bigger than half a megabyte; stop long before filling a disk if a
# mirror serves something else entirely.
_MAX_BYTES = 32 << 20
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

Progress = Optional[Callable[[str], object]]


# --------------------------------------------------------------------------- helpers


def sha256_of(path) -> str:
    """Return the hex sha256 of the file at ``path`` (read in chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _one_line(text) -> str:
    """Squash an exception's text onto one line (errors here must be one line)."""
    return " ".join(str(text).split()) or "no details"


def _reason(exc: BaseException) -> str:
    """A short human reason for a failed download."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {_one_line(exc.reason)}"
    if isinstance(exc, urllib.error.URLError):
        return _one_line(exc.reason)
    if isinstance(exc, TimeoutError):
        return "timed out"
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


def _open_url(url: str, timeout: float):
    """``urlopen`` that never sends loopback requests (tests, local mirrors) to a proxy."""
    host = urllib.parse.urlsplit(url).hostname
    if host in _LOOPBACK_HOSTS:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        return opener.open(url, timeout=timeout)
    return urllib.request.urlopen(url, timeout=timeout)


def _stream_to_temp(read_chunk: Callable[[int], bytes], dest: Path, name: str):
    """Write chunks into a hidden temp file in ``dest``; return (temp path, sha256)."""
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=dest, prefix=f".{name}.", suffix=".part")
    tmp_path = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as out:
            total = 0
            while True:
                chunk = read_chunk(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > _MAX_BYTES:
                    raise _TooBig(total)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return tmp_path, digest.hexdigest()


class _TooBig(Exception):
    def __init__(self, size):
        super().__init__(f"more than {_MAX_BYTES} bytes")
        self.size = size


def _install(tmp_path: Path, got: str, expected: str, final: Path, name: str, origin: str):
    """Give the temp file its final name if (and only if) its checksum is right."""
    if got != expected:
        tmp_path.unlink(missing_ok=True)
        raise StyleTransferError(
            f"checksum mismatch for {name} from {origin}: expected sha256 {expected}, "
            f"got {got}; nothing was written to {final.parent}"
        )
    os.chmod(tmp_path, 0o644)
    os.replace(tmp_path, final)


# --------------------------------------------------------------------------- public API


def download_paper_images(
    dest=DEFAULT_DEST,
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
        dest: folder to fill (created if needed); ``images/paper`` by default, which is
            git-ignored.
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
    dest = Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StyleTransferError(f"cannot create folder {dest}: {_reason(exc)}") from None
    if source_dir is not None:
        source_dir = Path(source_dir)
        if not source_dir.is_dir():
            raise StyleTransferError(f"source folder {source_dir} does not exist")

    paths: list[Path] = []
    for name in wanted:
        entry = table[name]
        final = dest / name
        paths.append(final)

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

        if source_dir is not None:
            _copy_one(name, entry, source_dir, final)
            _say(progress, f"{name}: copied from {source_dir} (sha256 ok)")
        else:
            url = entry.url if mirror is None else f"{mirror.rstrip('/')}/{name}"
            _download_one(name, entry, url, final, timeout, source_hint=dest)
            _say(progress, f"{name}: downloaded from {url} (sha256 ok)")
    return paths


def _copy_one(name: str, entry: PaperImage, source_dir: Path, final: Path) -> None:
    src = source_dir / name
    if not src.is_file():
        raise StyleTransferError(f"{name} not found in {source_dir} (looked for {src})")
    try:
        with open(src, "rb") as f:
            tmp_path, got = _stream_to_temp(f.read, final.parent, name)
    except _TooBig:
        raise StyleTransferError(f"{src} is too big to be {name}") from None
    except OSError as exc:
        raise StyleTransferError(f"cannot copy {src}: {_reason(exc)}") from None
    _install(tmp_path, got, entry.sha256, final, name, str(src))


def _download_one(
    name: str, entry: PaperImage, url: str, final: Path, timeout: float, source_hint: Path
) -> None:
    try:
        with _open_url(url, timeout) as response:
            tmp_path, got = _stream_to_temp(response.read, final.parent, name)
    except _TooBig:
        raise StyleTransferError(
            f"{url} sent more than {_MAX_BYTES} bytes; that is not {name}"
        ) from None
    except ValueError as exc:  # e.g. "unknown url type" for a mistyped --mirror
        raise StyleTransferError(f"bad URL {url!r} for {name}: {_one_line(exc)}") from None
    except (OSError, http.client.HTTPException) as exc:  # URLError/HTTPError are OSErrors
        raise StyleTransferError(
            f"could not download {name} from {url} ({_reason(exc)}). Are you offline? "
            f"Copy the files by hand into {source_hint} or use --from DIR; "
            f"{_CHECKSUMS_HINT}"
        ) from None
    _install(tmp_path, got, entry.sha256, final, name, url)


def _repo_images_folder() -> Path:
    """``images/paper`` of the checkout this package lives in (package's parent folder)."""
    return Path(__file__).resolve().parent.parent / "images" / "paper"


def paper_image_path(name: str, folder=None) -> Optional[Path]:
    """Find one of the paper's images on disk, for notebooks and examples.

    Looks, in order, in ``folder`` (if given), in the folder named by the environment
    variable ``STYLETRANSFER_IMAGES`` (if set), and in ``images/paper/`` of the
    repository checkout this package lives in.  ``"tubingen"`` is accepted for
    ``"tubingen.jpg"``.  The checksum is not re-checked here (that is
    :func:`download_paper_images`'s job).

    Returns:
        The first existing path, or ``None`` if the file is in none of those places
        (then run ``python -m styletransfer_tf download-images``).

    Raises:
        StyleTransferError: if ``name`` is not one of :data:`PAPER_IMAGES`.
    """
    name = _resolve_names([name], PAPER_IMAGES)[0]
    candidates = []
    if folder is not None:
        candidates.append(Path(folder))
    env = os.environ.get(ENV_VAR)
    if env:
        candidates.append(Path(env))
    candidates.append(_repo_images_folder())
    for candidate in candidates:
        path = candidate.expanduser() / name
        if path.is_file():
            return path
    return None


# --------------------------------------------------------------------------- CLI


def add_arguments(parser) -> None:
    """Add the ``download-images`` arguments to an ``argparse`` (sub)parser."""
    parser.add_argument(
        "names", nargs="*", metavar="NAME",
        help=f"images to fetch (default: all): {', '.join(PAPER_IMAGES)}",
    )
    parser.add_argument(
        "--dest", default=DEFAULT_DEST, metavar="DIR",
        help=f"folder to put them in (default: {DEFAULT_DEST}, git-ignored)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--from", dest="source_dir", default=None, metavar="DIR",
        help="copy from this local folder instead of downloading (checksums still checked)",
    )
    source.add_argument(
        "--mirror", default=None, metavar="URL",
        help="download <URL>/<NAME> instead of the GitHub URLs (http(s):// or file://)",
    )
    parser.add_argument(
        "--overwrite", action="store_true",
        help="replace files in DIR whose checksum is wrong (correct files are kept)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30, metavar="SECONDS",
        help="network timeout per file (default: 30)",
    )
    parser.add_argument(
        "--list", action="store_true",
        help="only list the images, their sources and credits",
    )


def run(args) -> int:
    """Carry out ``download-images`` for parsed ``args``; return 0 or raise StyleTransferError."""
    if getattr(args, "list", False):
        for name, entry in PAPER_IMAGES.items():
            print(f"{name}: {entry.credit}\n    {entry.url}\n    sha256 {entry.sha256}")
        return 0
    paths = download_paper_images(
        dest=args.dest,
        names=args.names or None,
        mirror=args.mirror,
        source_dir=args.source_dir,
        overwrite=args.overwrite,
        timeout=getattr(args, "timeout", 30),
    )
    print(f"{len(paths)} image(s) ready in {Path(args.dest)}")
    return 0
