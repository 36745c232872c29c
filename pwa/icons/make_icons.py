"""Draws the app icons (run once; the PNGs are committed): a white map pin on the brand colour.

    .venv/bin/python pwa/icons/make_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (29, 53, 87)
HERE = Path(__file__).parent


def icon(size: int, safe: float) -> Image.Image:
    picture = Image.new("RGB", (size, size), BRAND)
    draw = ImageDraw.Draw(picture)
    scale = size * safe
    cx, cy = size / 2, size / 2 - scale * 0.08
    r = scale * 0.28
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill="white")
    draw.polygon([(cx - r * 0.86, cy + r * 0.5), (cx + r * 0.86, cy + r * 0.5), (cx, cy + r * 1.9)], fill="white")
    hole = r * 0.42
    draw.ellipse((cx - hole, cy - hole, cx + hole, cy + hole), fill=BRAND)
    return picture


if __name__ == "__main__":
    icon(192, 1.0).save(HERE / "icon-192.png", optimize=True)
    icon(512, 1.0).save(HERE / "icon-512.png", optimize=True)
    icon(512, 0.7).save(HERE / "maskable-512.png", optimize=True)  # inside the maskable safe zone
