"""Write the region masks of the README's spatial-control example (``--mask``).

Two masks of the sample content's size (384x256), white = the region:

* ``sample_mask_top.png``: the top half (mostly sky, clouds and sun);
* ``sample_mask_bottom.png``: the bottom half (hills, house, tree, fence, grass).

With one style and the top mask, only the top half is stylised and the bottom half keeps
the photo (only the content loss acts there); with two styles and both masks, each half
gets its own style (mask k goes with style k). A straight split, not a segmentation: the
house's roof and the tree's crown cross it. Usage, from the repository root::

    python images/make_mask_example.py            # writes images/sample_mask_*.png
    python images/make_mask_example.py --out DIR  # somewhere else
    python -m styletransfer_tf transfer images/sample_content.png images/sample_style.png \\
        --mask images/sample_mask_top.png -o masked.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent


def half_masks(width, height):
    """The top-half and bottom-half masks, uint8 (height, width), 255 inside, 0 outside."""
    top = np.zeros((height, width), np.uint8)
    top[: height // 2] = 255
    return top, 255 - top


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder (default: images/)")
    args = parser.parse_args(argv)
    with Image.open(HERE / "sample_content.png") as content:
        width, height = content.size
    for name, mask in zip(("top", "bottom"), half_masks(width, height)):
        path = args.out / f"sample_mask_{name}.png"
        Image.fromarray(mask).save(path)
        print(f"wrote {path} ({width}x{height})")


if __name__ == "__main__":
    main()
