"""Photos and receipts in S3 through the real boto3 client, against moto's S3 server on a loopback port."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer
from PIL import Image

from circulate.accounts.tests.factories import UserFactory
from circulate.bikes import services
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station
from circulate.core.asgi_server import free_loopback_port

pytestmark = pytest.mark.django_db

BUCKET = "circulate-test-media"


@pytest.fixture
def s3(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto's S3 server on loopback, a bucket in it, and STORAGES pointing the default storage at it."""
    port = free_loopback_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": True,
                "signature_version": "s3v4",
            },
        },
    }
    try:
        yield client
    finally:
        server.stop()


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (20, 120, 200)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_bike_photo_is_uploaded_to_the_bucket_and_linked_with_a_signed_url(s3, auth_client) -> None:  # type: ignore[no-untyped-def]
    # given
    fleet = make_fleet_manager()
    bike = make_bike(fleet=fleet)
    # when the fleet manager uploads a photo
    response = auth_client(fleet).post(f"/api/bikes/bikes/{bike.pk}/photo/", {"photo": jpeg()}, format="multipart")
    # then the object is in the bucket, and the API links it with a signed URL that works
    assert response.status_code == 200, response.json()
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert len(keys) == 1
    assert keys[0].startswith(f"bikes/photos/bike-{bike.pk}-")
    url = response.json()["photo"]
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=60" in url
    status, body = fetch(url)
    assert status == 200
    assert body[:2] == b"\xff\xd8"  # a JPEG
    # and the same URL without its signature is refused: the bucket is private
    assert fetch(url.split("?")[0])[0] == 403


def test_a_receipt_is_written_to_s3_and_handed_out_as_a_short_lived_link(s3, auth_client) -> None:  # type: ignore[no-untyped-def]
    # given a finished, priced ride
    fleet = make_fleet_manager()
    make_plan(fleet=fleet)
    rider = UserFactory()
    rental = services.start_rental(actor=rider, bike_id=make_bike(fleet=fleet).pk)
    services.finish_rental(actor=rider, rental_id=rental.pk, station_id=make_station(fleet=fleet).pk)
    services.price_rental(rental_id=rental.pk)
    # when the rider asks for the receipt
    response = auth_client(rider).get(f"/api/bikes/rentals/{rental.pk}/receipt/")
    # then the answer sends them to a signed URL of the object
    assert response.status_code == 302
    body = s3.get_object(Bucket=BUCKET, Key=f"bikes/receipts/ride-{rental.pk}.txt")["Body"].read()
    assert b"Total:       2.00 EUR" in body
    status, downloaded = fetch(response["Location"])
    assert (status, downloaded) == (200, body)
    # pricing again (a redelivered task) leaves one object with the same name
    services.price_rental(rental_id=rental.pk)
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix="bikes/receipts/")["Contents"]] == [
        f"bikes/receipts/ride-{rental.pk}.txt"
    ]
