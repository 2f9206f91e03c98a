"""Where bike photos and ride receipts are kept: Django's default storage.

That is the local file system in the embedded profile and S3 (django-storages) when
``AWS_STORAGE_BUCKET_NAME`` is set (``settings/storage.py``). Model fields name this
function rather than a storage object, so migrations do not depend on the deployment.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages


def bikes_storage() -> Storage:
    # The lazy default storage: it follows STORAGES even when a test changes it after the models loaded.
    return default_storage


def put_file(name: str, content: bytes) -> str:
    """Write ``content`` under exactly ``name`` (replacing what was there); returns the name."""
    storage = bikes_storage()
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(content))


def is_remote() -> bool:
    """True when files live in object storage and are handed out as signed URLs."""
    return not isinstance(storages["default"], FileSystemStorage)
