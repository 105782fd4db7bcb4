"""Photos: read their size, and make resized variants for ``srcset``, cached by content.

Variants are kept in ``.cache/images/`` between builds, named by a digest of the photo's bytes and
the variant's width, so an unchanged photo is never resized twice and a replaced one always is. A
name proves nothing (anyone can put a file under it): a kept file is reused only when the
folder's sealed :class:`~microsite.cache.Ledger` holds its stamp, that is, when this user's build
made it and nothing changed it since.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import shutil
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from PIL import Image

from ..cache import Ledger, Stamp
from ..content.placeholder import placeholder_origin
from ..errors import ContentError
from ..files import problem_of, read_bytes, remove_file
from ..parallel import fork_map

VARIANT_WIDTHS = (480, 960)
# Every JPEG or PNG photo also gets WebP copies (all browsers since 2020 show them; Lighthouse asks
# for a modern format). Pillow here can write AVIF too, but a 1200-pixel photo takes ~0.57 s to
# encode against ~0.04 s for WebP (method 2), for a file ~20% smaller: a cold build of a large
# archive would take many minutes more.
MODERN = ".webp"
JPEG_QUALITY = 82
WEBP_QUALITY = 80
RESIZABLE = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
FORMATS = {suffix: name for name, suffix in RESIZABLE.items()}
# What a photo's name must end in, for what it holds: browsers and GitHub Pages go by the name.
SUFFIXES = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",), "WEBP": (".webp",), "GIF": (".gif",)}
MAX_PIXELS = 89_478_485  # Pillow's own bomb limit: ~360 MB decoded; cameras make up to ~60 megapixels


class Variant(NamedTuple):
    width: int
    height: int
    cached: Path


class ImageInfo(NamedTuple):
    """A photo as the pages need it: its displayed size and its variants (smaller ones, WebP ones)."""

    file: Path
    digest: str
    width: int | None
    height: int | None
    variants: tuple[Variant, ...]
    placeholder: str | None = None  # a labelled placeholder photo: where the real one is
    cached: Path | None = None  # where the cache keeps a copy of the photo itself

    def variant_name(self, name: str, variant: Variant) -> str:
        """The published file name of a variant of a photo published as ``name``."""
        stem = name.rpartition(".")[0] or name
        return f"{stem}-{variant.width}w{variant.cached.suffix}"


class NotAnImage(ValueError):
    """The file is not a photo Pillow can read."""


def inspect_image(file: Path, cache_dir: Path) -> ImageInfo:
    """Size and planned variants of a photo; cheap: reads only the header and the bytes to hash.

    Raises :class:`NotAnImage` for a file Pillow cannot read, of a format or name browsers would
    not show as a photo, or too large to resize safely; ContentError when the file cannot be read.
    """
    from PIL import Image, UnidentifiedImageError  # here: an edit whose photos are known never needs Pillow

    data = read_bytes(file)
    digest = hashlib.blake2b(data, digest_size=12).hexdigest()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if _orientation(image) in (5, 6, 7, 8):
                    width, height = height, width
                kind = image.format or ""
                animated = getattr(image, "is_animated", False)
                placeholder = placeholder_origin(image.info.get("comment"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NotAnImage(f"{file.name} is too large to resize safely; {_too_large()}") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise NotAnImage(f"{file.name} is not a photo that can be read ({exc})") from None
    if width * height > MAX_PIXELS:
        raise NotAnImage(f"{file.name} is {width}×{height} pixels; {_too_large()}")
    if file.suffix.lower() not in SUFFIXES.get(kind, ()):
        names = ", ".join(sorted({s for suffixes in SUFFIXES.values() for s in suffixes}))
        raise NotAnImage(f"{file.name} holds a {kind or 'non-photo'} file; name photos {names} after what they hold")
    suffix = RESIZABLE.get(kind)
    variants = []
    if suffix and not animated:
        smaller = [target for target in VARIANT_WIDTHS if target < width]
        for target in smaller:
            variants.append(Variant(target, round(height * target / width), cache_dir / f"{digest}-{target}{suffix}"))
        if suffix != MODERN:  # the same sizes, and the full size, in a format half the weight
            for target in [*smaller, width]:
                cached = cache_dir / f"{digest}-{target}{MODERN}"
                variants.append(Variant(target, round(height * target / width), cached))
    cached = cache_dir / f"{digest}{file.suffix.lower()}"
    return ImageInfo(file, digest, width, height, tuple(variants), placeholder, cached)


def _too_large() -> str:
    return f"the limit is {MAX_PIXELS // 1_000_000} megapixels: save a smaller copy (e.g. 3000 pixels wide)"


def make_variants(images: list[ImageInfo], ledger: Ledger) -> tuple[int, dict[str, Stamp]]:
    """Copy each photo into the cache and resize each of its variants, unless ``ledger`` vouches for
    the file already there; returns how many variants were made, and the stamp of each file
    vouched for or made (by path). Each file is made once, in this process's view (the resizing on
    every core), and then entered in ``ledger``."""
    stamps: dict[str, Stamp] = {}

    def lacking(cached: str) -> bool:
        stamp = ledger.trusted(cached)
        if stamp is not None:
            stamps[cached] = stamp
        return stamp is None

    # (keyed by the paths' strings: a template edit checks every photo's files, by the ten thousand)
    copies = {os.fspath(image.cached): image.file for image in images if image.cached is not None}
    variants = {os.fspath(variant.cached): (image.file, variant) for image in images for variant in image.variants}
    copies = {cached: file for cached, file in copies.items() if lacking(cached)}
    todo = [item for cached, item in variants.items() if lacking(cached)]
    if not copies and not todo:
        return 0, stamps
    cache = Path(next(iter(copies or variants)))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ContentError(cache.parent, problem_of(exc, "write") + " (the resized photos are kept here)") from None
    for cached, file in copies.items():
        _copy(file, Path(cached))
    fork_map(lambda item: _resize(*item), todo, minimum=9)  # a resize is slow: worth a worker from 9 on
    for cached in [*copies, *(os.fspath(variant.cached) for _, variant in todo)]:
        stamp = ledger.add(cached)
        if stamp is not None:
            stamps[cached] = stamp
    return len(todo), stamps


def _copy(file: Path, cached: Path) -> None:
    """A newsroom photo's copy in the cache, put in place whole (it replaces any file there)."""
    temporary = cached.with_name(f".{cached.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")  # as clean_leftovers knows
    try:
        shutil.copyfile(file, temporary)
        os.replace(temporary, cached)
    except OSError as exc:
        remove_file(temporary)
        where = file if exc.filename == str(file) else cached.parent
        raise ContentError(where, problem_of(exc, "read" if where == file else "write")) from None


def _resize(file: Path, variant: Variant) -> None:
    """Make one variant in the cache; ContentError naming the photo when it cannot be decoded."""
    from PIL import Image, ImageOps

    partial = variant.cached.with_name(variant.cached.name + f".{os.getpid()}.part")
    remove_file(partial)  # whatever is there (a link, never followed): Pillow creates the file anew
    try:
        with Image.open(file) as image:
            if image.format == "JPEG":
                image.draft("RGB", (variant.width, variant.height))  # decode at a reduced scale: fast
            image = ImageOps.exif_transpose(image)
            resized = image.resize((variant.width, variant.height), Image.Resampling.LANCZOS)
            options = {"quality": JPEG_QUALITY, "progressive": True} if variant.cached.suffix == ".jpg" else {}
            if variant.cached.suffix == MODERN:
                options = {"quality": WEBP_QUALITY, "method": 2}  # 2x faster than the default 4, ~6% larger
            if variant.cached.suffix == ".jpg" and resized.mode not in ("RGB", "L"):
                resized = resized.convert("RGB")
            resized.save(partial, format=FORMATS[variant.cached.suffix], **options)
        partial.replace(variant.cached)  # atomic: a cached variant is always whole
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if exc.errno is not None:  # the file system: the cache folder, the disk
            raise ContentError(variant.cached.parent, problem_of(exc, "write")) from None
        raise ContentError(
            file, f"this photo cannot be decoded ({exc}); it may be damaged or cut short: export it again"
        ) from None
    except (ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        partial.unlink(missing_ok=True)
        raise ContentError(file, f"this photo cannot be decoded ({exc}); export it again") from None


def _orientation(image: Image.Image) -> int:
    return image.getexif().get(0x0112, 1)  # EXIF Orientation; 5-8 turn the photo a quarter
