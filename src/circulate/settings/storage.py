"""File storage: the local file system by default, S3 (django-storages + boto3) when a bucket is named.

Bike photos, ride receipts and book covers go through Django's storage API, so the same code
writes to ``MEDIA_ROOT`` on one machine and to a bucket in production. Files in S3 are
private: links to them are signed and expire (``AWS_QUERYSTRING_EXPIRE`` seconds).
"""

from .base import STORAGES
from .env import env

AWS_STORAGE_BUCKET_NAME: str = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL: str = env.str("AWS_S3_ENDPOINT_URL", default="")
AWS_S3_REGION_NAME: str = env.str("AWS_S3_REGION_NAME", default="us-east-1")
AWS_QUERYSTRING_EXPIRE: int = env.int("AWS_QUERYSTRING_EXPIRE", default=300)

if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL or None,
            "region_name": AWS_S3_REGION_NAME,
            # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the instance's role (boto3 finds them).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": AWS_QUERYSTRING_EXPIRE,
            "file_overwrite": True,
            "signature_version": "s3v4",
        },
    }
