"""Where the kit keeps files on the user's machine: one cache folder, one images folder.

Nothing here depends on where the package is installed or on the current folder, so a
checkout, an editable install and ``pip install .`` into site-packages behave the same:

* :func:`user_cache_dir`: ``$STYLETRANSFER_CACHE`` if set, else ``styletransfer_tf/`` in
  the user's cache folder (``$XDG_CACHE_HOME``, default ``~/.cache``). It holds what the
  kit fetches or computes and can always make again: normalised VGG19 weights
  (``normalized_vgg/``), cached experiment results (``experiments/``) and the paper's
  images (``paper_images/``).
* :func:`images_dir`: the one folder for the paper's images, which ``download-images``
  writes and :func:`styletransfer_tf.paper_images.paper_image_path` reads:
  ``$STYLETRANSFER_IMAGES`` if set, else ``paper_images/`` in :func:`user_cache_dir`.

Standard library only: the command line imports this before TensorFlow.
"""

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

#: Environment variable that moves the cache folder.
CACHE_ENV = "STYLETRANSFER_CACHE"
#: Environment variable naming the folder that holds the paper's images.
IMAGES_ENV = "STYLETRANSFER_IMAGES"
#: Name of the kit's subfolder in the user's cache folder.
APP_NAME = "styletransfer_tf"


@contextlib.contextmanager
def atomic_path(path):
    """Write a file all at once: yields a temporary path beside ``path`` (same suffixes,
    so writers that pick the format from the name work); when the block succeeds it is
    renamed to ``path`` (atomic on one file system), when it fails it is removed. A
    reader never sees a half-written file, and a failed write leaves ``path`` as it was.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix="".join(path.suffixes))
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def user_cache_dir() -> Path:
    """``$STYLETRANSFER_CACHE``, else ``$XDG_CACHE_HOME/styletransfer_tf``, else
    ``~/.cache/styletransfer_tf`` (not created here)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME")
    # XDG: a relative $XDG_CACHE_HOME is invalid and must be ignored
    root = Path(base).expanduser() if base and Path(base).expanduser().is_absolute() \
        else Path.home() / ".cache"
    return root / APP_NAME


def images_dir() -> Path:
    """``$STYLETRANSFER_IMAGES``, else ``paper_images/`` in :func:`user_cache_dir`
    (not created here)."""
    env = os.environ.get(IMAGES_ENV)
    if env:
        return Path(env).expanduser()
    return user_cache_dir() / "paper_images"


_FILE_HASHES = {}


def file_sha256(path):
    """Hex sha256 of a file's bytes, remembered per (resolved path, size, mtime) so that
    naming many cache entries after the same images and weights reads each file once."""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _FILE_HASHES:
        _FILE_HASHES[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _FILE_HASHES[key]
