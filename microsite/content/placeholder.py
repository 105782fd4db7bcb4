"""Labelled placeholder photos: made where the real photo is not at hand, and recognised by the build.

A placeholder is a JPEG that says PLACEHOLDER PHOTO / ẢNH MINH HỌA and what the real photo shows.
Its JPEG comment starts with :data:`MARK` and names where the real photo is (its URL, when known),
so the build can warn about it until an editor saves the real photo under the same name.
"""

from __future__ import annotations

import io
import textwrap

MARK = b"microsite placeholder photo: "
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # carries every Vietnamese diacritic


def placeholder_jpeg(description: str, origin: str = "", size: tuple[int, int] = (1200, 800)) -> bytes:
    """A grey-blue JPEG saying PLACEHOLDER PHOTO / ẢNH MINH HỌA and ``description``, marked with ``origin``."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):  # a soft vertical gradient, so the photo is not a flat block
        shade = 70 + (y * 60) // height
        draw.line([(0, y), (width, y)], fill=(shade, shade + 10, shade + 40))
    try:
        big, small = ImageFont.truetype(FONT, width // 22), ImageFont.truetype(FONT, width // 40)
    except OSError:
        big = small = ImageFont.load_default()
    draw.rectangle(
        [width // 20, height // 20, width - width // 20, height - height // 20], outline=(220, 220, 230), width=4
    )
    draw.text((width // 2, height // 3), "ẢNH MINH HỌA · PLACEHOLDER PHOTO", font=big, fill="white", anchor="mm")
    for number, line in enumerate(textwrap.wrap(description, width=56)[:5]):
        draw.text((width // 2, height // 2 + number * width // 30), line, font=small, fill=(235, 235, 240), anchor="mm")
    out = io.BytesIO()
    comment = MARK + origin.encode("utf-8")[:1000]
    image.save(out, "JPEG", quality=80, optimize=True, progressive=True, comment=comment)
    return out.getvalue()


def placeholder_origin(comment: bytes | str | None) -> str | None:
    """Where the real photo is, if a photo's JPEG comment marks it as a placeholder; else None."""
    if isinstance(comment, str):
        comment = comment.encode("utf-8", "replace")
    if not comment or not comment.startswith(MARK):
        return None
    return comment[len(MARK) :].decode("utf-8", "replace")
