"""Pictures in the sizes the store shows them: 16:9, cropped to the centre, as JPEG (Pillow).
Saved through the model's storage (Django's storage API), so an object store can be configured."""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

LARGE = (1280, 720)  # the store's pictures at twice their 640 × 360 display size
SMALL = (640, 360)  # cards and lists
QUALITY = 85


def _open(upload: Any) -> Image.Image:
    upload.seek(0)
    image = Image.open(upload)
    image = ImageOps.exif_transpose(image)  # phones store the turn in EXIF
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.split()[-1])
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, size: tuple[int, int], name: str) -> ContentFile:
    fitted = ImageOps.fit(image, size, Image.Resampling.LANCZOS) if image.size != size else image
    out = io.BytesIO()
    fitted.save(out, format="JPEG", quality=QUALITY, optimize=True, progressive=True)
    return ContentFile(out.getvalue(), name=name)


def store_sizes(upload: Any) -> tuple[ContentFile, ContentFile]:
    """(large, small) JPEGs of an uploaded picture. A picture smaller than the large size is not
    enlarged beyond its own width (cropped to 16:9 at its size)."""
    image = _open(upload)
    stem = PurePath(getattr(upload, "name", "") or "picture").stem[:40] or "picture"
    width = min(LARGE[0], image.width)
    large = (width, round(width * 9 / 16)) if width < LARGE[0] else LARGE
    return _jpeg(image, large, f"{stem}.jpg"), _jpeg(image, SMALL, f"{stem}-small.jpg")
