"""Uploaded images checked with Pillow before they are stored: real images of an allowed type and size."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from circulate.core.errors import InvalidInputError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000


def checked_photo(upload: UploadedFile, *, field: str = "photo") -> tuple[ContentFile[bytes], str]:
    """The upload's bytes and file extension, or a 400 saying what is wrong with it."""
    limit = settings.UPLOAD_IMAGE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise InvalidInputError(f"The image is larger than {limit // (1024 * 1024)} MB.", field=field)
    data = upload.read()
    try:
        with Image.open(ContentFile(data)) as image:
            image_format = image.format or ""
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InvalidInputError("The image has too many pixels.", field=field)
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InvalidInputError("The file is not an image Pillow can read.", field=field) from exc
    if image_format not in ALLOWED_FORMATS:
        allowed = ", ".join(sorted(ALLOWED_FORMATS))
        raise InvalidInputError(f"{image_format or 'This'} images are not accepted; send {allowed}.", field=field)
    return ContentFile(data), ALLOWED_FORMATS[image_format]
