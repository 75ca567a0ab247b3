"""Make images/readme_sample.jpg: the README's picture, with the kit's default settings.

Two rows: the project's sample content and style images and the result of the README's
main job; Tübingen and The Starry Night (from $STYLETRANSFER_IMAGES, or ../shared/images
beside the checkout) and their result. Each result is made by the command a user would
type (``python -m styletransfer_tf transfer CONTENT STYLE -o OUT``, defaults only), and its
wall-clock time, start-up included, is printed under it.

    python images/make_readme_picture.py [--out images/readme_sample.jpg]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from styletransfer_tf import images as imgs  # noqa: E402
from styletransfer_tf import plotting  # noqa: E402


def transfer(content, style, output):
    """Run the README's main job on one pair; return the result and its seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "styletransfer_tf", "transfer", str(content),
                    str(style), "-o", str(output), "--quiet"], check=True, cwd=REPO)
    return imgs.load_image(output), time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "readme_sample.jpg")
    parser.add_argument("--images", type=Path, default=Path(os.environ.get(
        "STYLETRANSFER_IMAGES", REPO.parent / "shared" / "images")))
    args = parser.parse_args(argv)
    pairs = [(imgs.sample_image_path("content"), imgs.sample_image_path("style"),
              "sample content", "sample style"),
             (args.images / "tubingen.jpg", args.images / "starry_night.jpg",
              "Tübingen (photo)", "The Starry Night (van Gogh)")]
    panels, titles = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (content, style, c_title, s_title) in enumerate(pairs):
            result, seconds = transfer(content, style, Path(tmp) / f"result{k}.png")
            print(f"{Path(content).name} x {Path(style).name}: {seconds:.0f} s", flush=True)
            shape = result.shape[:2]
            panels += [imgs.resize(imgs.load_image(content), shape=shape),
                       imgs.style_image_for(imgs.load_image(style), result, "content"), result]
            titles += [c_title, s_title, f"result: defaults, {result.shape[1]} px, "
                       f"{seconds / 60:.1f} min on 2 CPU cores"]
    fig = plotting.plot_images([p.astype("uint8") for p in panels], titles, panel_width=4.0,
                               cols=3)
    fig.savefig(args.out, dpi=100, pil_kwargs={"quality": 88})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
