"""Draw the project's own sample images: a content scene and a painterly style pattern.

The kit's default run must work with no download and no third-party pictures, so these
two images are drawn procedurally here (numpy + Pillow only) and committed as package
data in ``styletransfer_tf/data/`` (installed with the package; ``images/sample_*.png``
are links to them for the README's commands):

* ``sample_content.png`` (384x256): a small landscape, i.e. sky gradient, sun, clouds,
  rolling hills, a house with a roof, windows and door, a tree, a fence and grassy
  texture.  It has clear object outlines and some fine texture so that the content
  representation (deep VGG layers) has something to hold on to.
* ``sample_style.png`` (384x256): short, thick brush strokes that follow a swirling
  flow field (a few vortices plus a gentle drift), in a blue/yellow palette with dark
  outlines.  The strokes give strongly oriented texture at several scales, which is
  what the Gram-matrix style representation picks up.

The output is deterministic (fixed random seeds): running the script again rewrites
byte-identical files with the same Pillow version.  Usage, from the repository root::

    python images/make_sample_images.py            # writes styletransfer_tf/data/sample_*.png
    python images/make_sample_images.py --out DIR  # somewhere else
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 384, 256
#: Where the images live: package data, so that ``pip install .`` installs them.
PACKAGE_DATA = Path(__file__).resolve().parent.parent / "styletransfer_tf" / "data"
SS = 3  # supersampling factor: draw big, then shrink, for smooth (anti-aliased) edges


# --------------------------------------------------------------------------- helpers


def smooth_noise(rng, height, width, cell, octaves=3):
    """Value noise in [0, 1]: random grids upsampled bicubically and summed (fractal)."""
    total = np.zeros((height, width), np.float32)
    weight = 0.0
    amp = 1.0
    for octave in range(octaves):
        c = max(2, cell // (2 ** octave))
        gh, gw = height // c + 2, width // c + 2
        grid = rng.random((gh, gw)).astype(np.float32)
        img = Image.fromarray((grid * 255).astype(np.uint8)).resize(
            (gw * c, gh * c), Image.BICUBIC)
        total += amp * np.asarray(img, np.float32)[:height, :width] / 255.0
        weight += amp
        amp *= 0.5
    total /= weight
    lo, hi = total.min(), total.max()
    return (total - lo) / (hi - lo + 1e-8)


def lerp_colors(t, stops):
    """Map t in [0, 1] (any shape) through colour stops [(pos, (r, g, b)), ...]."""
    pos = np.array([p for p, _ in stops], np.float32)
    cols = np.array([c for _, c in stops], np.float32)
    out = np.empty(t.shape + (3,), np.float32)
    for ch in range(3):
        out[..., ch] = np.interp(t, pos, cols[:, ch])
    return out


def to_image(arr):
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


# --------------------------------------------------------------------------- content


def make_content(seed=2016):
    """A small landscape with a house, a tree and a fence (see module docstring)."""
    rng = np.random.default_rng(seed)
    W, H = WIDTH * SS, HEIGHT * SS
    s = SS  # shorthand: coordinates below are in output pixels times s

    # Sky: vertical gradient, a little lighter near the sun.
    y = np.linspace(0, 1, H, dtype=np.float32)[:, None] * np.ones((1, W), np.float32)
    sky = lerp_colors(y, [(0.0, (58, 110, 190)), (0.45, (130, 180, 232)),
                          (0.7, (214, 226, 240))])
    sun_x, sun_y = 300 * s, 52 * s
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    dist = np.hypot(xx - sun_x, yy - sun_y) / s
    glow = np.exp(-dist / 55.0)[..., None]
    sky = sky * (1 - 0.55 * glow) + np.array([255, 236, 180], np.float32) * 0.55 * glow
    img = to_image(sky)
    draw = ImageDraw.Draw(img)

    # Sun.
    r = 20 * s
    draw.ellipse([sun_x - r, sun_y - r, sun_x + r, sun_y + r], fill=(255, 214, 90))
    r2 = 15 * s
    draw.ellipse([sun_x - r2, sun_y - r2, sun_x + r2, sun_y + r2], fill=(255, 232, 140))

    # Clouds: clusters of overlapping ellipses.
    for cx, cy, n in [(70, 42, 7), (180, 28, 6), (225, 80, 5)]:
        for _ in range(n):
            dx, dy = rng.normal(0, 14), rng.normal(0, 4)
            rw, rh = rng.uniform(12, 22), rng.uniform(7, 11)
            x0, y0 = (cx + dx) * s, (cy + dy) * s
            draw.ellipse([x0 - rw * s, y0 - rh * s, x0 + rw * s, y0 + rh * s],
                         fill=(248, 250, 255))
        draw.ellipse([(cx - 30) * s, (cy + 4) * s, (cx + 30) * s, (cy + 12) * s],
                     fill=(226, 232, 244))

    # Hills: three layers, far to near, each a noisy sine-wave silhouette.
    xs = np.arange(W, dtype=np.float32) / s
    layers = [
        (150, 14, 0.021, 1.3, (110, 150, 120)),
        (175, 12, 0.017, 4.0, (84, 140, 70)),
        (200, 9, 0.012, 2.2, (70, 128, 52)),
    ]
    for base, amp, freq, phase, color in layers:
        top = base - amp * np.sin(xs * freq * 2 * np.pi / 2 + phase) \
            - 0.35 * amp * np.sin(xs * freq * 5.3 + 2 * phase)
        poly = [(float(x * s), float(t * s)) for x, t in zip(xs[::4], top[::4])]
        poly += [(W, H), (0, H)]
        draw.polygon(poly, fill=color)

    # Grass texture on the near hill: short dark and light blades.
    for _ in range(2600):
        gx = rng.uniform(0, WIDTH)
        gy = rng.uniform(205, HEIGHT)
        length = rng.uniform(3, 7) * (0.6 + 0.6 * (gy - 200) / 56)
        lean = rng.normal(0, 1.2)
        shade = rng.choice([(52, 100, 38), (96, 156, 66), (60, 116, 44), (120, 170, 80)])
        draw.line([(gx * s, gy * s), ((gx + lean) * s, (gy - length) * s)],
                  fill=tuple(int(c) for c in shade), width=s)

    # Path from the door down the hill.
    draw.polygon([(128 * s, 206 * s), (142 * s, 206 * s), (176 * s, HEIGHT * s),
                  (120 * s, HEIGHT * s)], fill=(196, 170, 120))

    # House: walls, roof, chimney, windows, door.
    hx0, hx1, hy0, hy1 = 96, 176, 146, 208
    draw.rectangle([hx0 * s, hy0 * s, hx1 * s, hy1 * s], fill=(236, 214, 170),
                   outline=(90, 66, 44), width=2 * s)
    # wall planks
    for py in range(hy0 + 8, hy1, 8):
        draw.line([(hx0 + 2) * s, py * s, (hx1 - 2) * s, py * s], fill=(214, 190, 146),
                  width=s)
    draw.rectangle([150 * s, 104 * s, 160 * s, 128 * s], fill=(130, 60, 50),
                   outline=(70, 36, 30), width=s)
    roof = [(88 * s, 148 * s), (136 * s, 106 * s), (184 * s, 148 * s)]
    draw.polygon(roof, fill=(178, 58, 46), outline=(96, 30, 24))
    for i in range(1, 6):  # roof tile rows
        t = i / 6
        yl = 106 + (148 - 106) * t
        xl, xr = 136 - 48 * t, 136 + 48 * t
        draw.line([xl * s, yl * s, xr * s, yl * s], fill=(140, 40, 32), width=s)
    for wx in (106, 152):  # windows with crossbars
        draw.rectangle([wx * s, 160 * s, (wx + 16) * s, 176 * s], fill=(250, 236, 150),
                       outline=(70, 50, 36), width=2 * s)
        draw.line([(wx + 8) * s, 160 * s, (wx + 8) * s, 176 * s], fill=(70, 50, 36), width=s)
        draw.line([wx * s, 168 * s, (wx + 16) * s, 168 * s], fill=(70, 50, 36), width=s)
    draw.rectangle([128 * s, 176 * s, 144 * s, 208 * s], fill=(110, 70, 42),
                   outline=(60, 38, 24), width=2 * s)
    draw.ellipse([139 * s, 191 * s, 142 * s, 194 * s], fill=(230, 200, 90))

    # Fence in front of the hill.
    for fx in range(196, 300, 10):
        draw.rectangle([fx * s, 188 * s, (fx + 4) * s, 212 * s], fill=(238, 232, 220),
                       outline=(120, 108, 92), width=s)
        draw.polygon([(fx * s, 188 * s), ((fx + 2) * s, 184 * s), ((fx + 4) * s, 188 * s)],
                     fill=(238, 232, 220))
    for ry in (194, 204):
        draw.rectangle([194 * s, ry * s, 300 * s, (ry + 3) * s], fill=(226, 218, 204),
                       outline=(120, 108, 92), width=s)

    # Tree: trunk with a few branches and a leafy crown of dappled blobs.
    draw.polygon([(46 * s, 214 * s), (54 * s, 150 * s), (62 * s, 150 * s), (70 * s, 214 * s)],
                 fill=(104, 70, 44))
    draw.line([58 * s, 170 * s, 40 * s, 140 * s], fill=(104, 70, 44), width=4 * s)
    draw.line([58 * s, 164 * s, 78 * s, 136 * s], fill=(104, 70, 44), width=4 * s)
    for _ in range(70):
        ang = rng.uniform(0, 2 * np.pi)
        rad = np.sqrt(rng.uniform(0, 1)) * 34
        bx, by = 58 + np.cos(ang) * rad * 1.1, 118 + np.sin(ang) * rad * 0.85
        br = rng.uniform(7, 13)
        g = rng.uniform(0, 1)
        # lighter leaves on the upper right (towards the sun)
        light = np.clip(0.5 + 0.5 * ((bx - 58) / 40 - (by - 118) / 40), 0, 1)
        col = (int(30 + 40 * g + 50 * light), int(80 + 50 * g + 60 * light),
               int(26 + 20 * g + 20 * light))
        draw.ellipse([(bx - br) * s, (by - br) * s, (bx + br) * s, (by + br) * s], fill=col)

    img = img.resize((WIDTH, HEIGHT), Image.LANCZOS)
    # Fine photographic grain so that flat areas are not perfectly flat.
    arr = np.asarray(img, np.float32)
    arr += rng.normal(0, 2.0, arr.shape[:2])[..., None]
    return to_image(arr)


# --------------------------------------------------------------------------- style


def _flow_angle(x, y, vortices, drift):
    """Direction (radians) of a swirling flow at (x, y): vortices plus a uniform drift."""
    vx, vy = drift
    for cx, cy, strength, radius in vortices:
        dx, dy = x - cx, y - cy
        r2 = dx * dx + dy * dy + 1.0
        fall = strength * np.exp(-r2 / (2 * radius * radius))
        vx += -dy * fall / np.sqrt(r2)
        vy += dx * fall / np.sqrt(r2)
    return np.arctan2(vy, vx)


def make_style(seed=1889):
    """Swirling brush strokes in blues and yellows (see module docstring)."""
    rng = np.random.default_rng(seed)
    W, H = WIDTH * SS, HEIGHT * SS
    s = SS

    vortices = [  # (x, y, strength, radius) in output pixels
        (96, 86, 2.6, 58), (236, 70, -2.2, 52), (330, 160, 2.0, 60),
        (150, 196, -1.8, 48), (40, 210, 1.4, 40),
    ]
    drift = (0.6, 0.08)

    # Colour selection: a low-frequency field picks the palette region, so there are
    # blue swirls, yellow "stars" and a darker band instead of uniform confetti.
    field = smooth_noise(rng, HEIGHT, WIDTH, cell=64, octaves=3)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    for cx, cy in [(300, 54), (70, 40), (190, 120)]:  # bright yellow centres
        field = np.maximum(field, np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * 22 ** 2)))
    field = np.clip(field - 0.25 * (yy / HEIGHT) ** 2, 0, 1)  # darker towards the bottom
    palette = [
        (0.00, (14, 26, 70)),
        (0.25, (30, 62, 140)),
        (0.45, (58, 110, 190)),
        (0.60, (120, 168, 210)),
        (0.72, (226, 214, 120)),
        (0.85, (246, 196, 48)),
        (1.00, (255, 244, 190)),
    ]
    base = lerp_colors(field, palette)

    # Under-painting: the blurred base colours.
    img = to_image(base).resize((W, H), Image.BICUBIC).filter(ImageFilter.GaussianBlur(4 * s))
    draw = ImageDraw.Draw(img)

    def stroke_pass(count, length, width, jitter, dark_outline):
        for _ in range(count):
            x, y = rng.uniform(-10, WIDTH + 10), rng.uniform(-10, HEIGHT + 10)
            xi, yi = int(np.clip(x, 0, WIDTH - 1)), int(np.clip(y, 0, HEIGHT - 1))
            col = base[yi, xi] * rng.uniform(0.82, 1.18) + rng.normal(0, jitter, 3)
            col = tuple(int(c) for c in np.clip(col, 0, 255))
            pts = [(x * s, y * s)]
            step = length / 6
            for _ in range(6):
                a = _flow_angle(x, y, vortices, drift)
                x += step * np.cos(a)
                y += step * np.sin(a)
                pts.append((x * s, y * s))
            w = max(1, int(width * s * rng.uniform(0.7, 1.3)))
            if dark_outline:
                dark = tuple(int(c * 0.45) for c in col)
                draw.line(pts, fill=dark, width=w + 2 * s, joint="curve")
            draw.line(pts, fill=col, width=w, joint="curve")

    stroke_pass(1400, 26, 6.0, 10, dark_outline=True)   # broad strokes
    stroke_pass(2600, 16, 3.0, 14, dark_outline=True)   # medium strokes
    stroke_pass(3000, 9, 1.4, 18, dark_outline=False)   # fine highlights

    img = img.resize((WIDTH, HEIGHT), Image.LANCZOS)
    return img


# --------------------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(PACKAGE_DATA),
                        help="output folder (default: styletransfer_tf/data/ of this checkout)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, make in [("sample_content.png", make_content), ("sample_style.png", make_style)]:
        path = out / name
        make().save(path, optimize=True)
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
