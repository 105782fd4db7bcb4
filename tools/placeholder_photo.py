"""Make a clearly labelled placeholder photo (JPEG) where the real one is not available yet.

    python tools/placeholder_photo.py content/<slug>/images/name.jpg "What the real photo shows"

The sample article's photos were made this way; an editor replaces one by saving the real photo
under the same file name (or by changing the path in index.md).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # carries every Vietnamese diacritic


def placeholder(path: Path, description: str, size: tuple[int, int] = (1200, 800), hue: int = 0) -> None:
    """Write a grey-blue JPEG saying PLACEHOLDER PHOTO / ẢNH MINH HỌA and what it stands for."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):  # a soft vertical gradient, so the photo is not a flat block
        shade = 70 + (y * 60) // height
        draw.line([(0, y), (width, y)], fill=(shade + hue % 40, shade + 10, shade + 40))
    try:
        big, small = ImageFont.truetype(FONT, width // 22), ImageFont.truetype(FONT, width // 40)
    except OSError:
        big = small = ImageFont.load_default()
    draw.rectangle(
        [width // 20, height // 20, width - width // 20, height - height // 20], outline=(220, 220, 230), width=4
    )
    draw.text((width // 2, height // 3), "ẢNH MINH HỌA · PLACEHOLDER PHOTO", font=big, fill="white", anchor="mm")
    lines = textwrap.wrap(description, width=56)[:5]
    for number, line in enumerate(lines):
        draw.text((width // 2, height // 2 + number * width // 30), line, font=small, fill=(235, 235, 240), anchor="mm")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=80, optimize=True, progressive=True)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    placeholder(Path(sys.argv[1]), sys.argv[2])
