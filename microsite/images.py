"""Photos: read their size, and make resized variants for ``srcset``, cached by content.

Variants are kept in ``.cache/images/`` between builds, named by a digest of the photo's bytes and
the variant's width, so an unchanged photo is never resized twice and a replaced one always is.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

VARIANT_WIDTHS = (480, 960)
JPEG_QUALITY = 82
RESIZABLE = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
FORMATS = {suffix: name for name, suffix in RESIZABLE.items()}


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    cached: Path


@dataclass(frozen=True)
class ImageInfo:
    """A photo as the pages need it: its displayed size and its smaller variants."""

    file: Path
    digest: str
    width: int | None
    height: int | None
    variants: tuple[Variant, ...]

    def variant_name(self, name: str, variant: Variant) -> str:
        """The published file name of a variant of a photo published as ``name``."""
        stem = name.rpartition(".")[0] or name
        return f"{stem}-{variant.width}w{variant.cached.suffix}"


class NotAnImage(ValueError):
    """The file is not a photo Pillow can read."""


def inspect_image(file: Path, cache_dir: Path) -> ImageInfo:
    """Size and planned variants of a photo; cheap: reads only the header and the bytes to hash."""
    digest = hashlib.blake2b(file.read_bytes(), digest_size=12).hexdigest()
    if file.suffix.lower() == ".svg":
        return ImageInfo(file, digest, None, None, ())
    try:
        with Image.open(file) as image:
            width, height = image.size
            if _orientation(image) in (5, 6, 7, 8):
                width, height = height, width
            suffix = RESIZABLE.get(image.format or "")
            animated = getattr(image, "is_animated", False)
    except (UnidentifiedImageError, OSError) as exc:
        raise NotAnImage(f"{file.name} is not a photo that can be read ({exc})") from None
    variants = []
    if suffix and not animated:
        for target in VARIANT_WIDTHS:
            if target < width:
                variants.append(
                    Variant(target, round(height * target / width), cache_dir / f"{digest}-{target}{suffix}")
                )
    return ImageInfo(file, digest, width, height, tuple(variants))


def make_variants(images: list[ImageInfo], jobs: int | None = None) -> int:
    """Resize every variant missing from the cache; returns how many were made."""
    todo = [(image.file, variant) for image in images for variant in image.variants if not variant.cached.exists()]
    if not todo:
        return 0
    todo[0][1].cached.parent.mkdir(parents=True, exist_ok=True)
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(todo) > 8:
        from concurrent.futures import ProcessPoolExecutor  # only a cold cache needs processes

        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_resize, *zip(*todo, strict=True), chunksize=16))
    else:
        for file, variant in todo:
            _resize(file, variant)
    return len(todo)


def _resize(file: Path, variant: Variant) -> None:
    with Image.open(file) as image:
        if image.format == "JPEG":
            image.draft("RGB", (variant.width, variant.height))  # decode at a reduced scale: fast
        image = ImageOps.exif_transpose(image)
        resized = image.resize((variant.width, variant.height), Image.Resampling.LANCZOS)
        options = {"quality": JPEG_QUALITY, "progressive": True} if variant.cached.suffix == ".jpg" else {}
        if variant.cached.suffix == ".jpg" and resized.mode not in ("RGB", "L"):
            resized = resized.convert("RGB")
        partial = variant.cached.with_name(variant.cached.name + f".{os.getpid()}.part")
        resized.save(partial, format=FORMATS[variant.cached.suffix], **options)
        partial.replace(variant.cached)  # atomic: a cached variant is always whole


def _orientation(image: Image.Image) -> int:
    return image.getexif().get(0x0112, 1)  # EXIF Orientation; 5-8 turn the photo a quarter
