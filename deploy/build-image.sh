#!/usr/bin/env bash
# Build the real Dockerfile without a Docker engine or a registry of base images, and prove the image:
#   1. a Debian bookworm base image made from Debian's packages (debootstrap --variant=minbase, then
#      buildah from scratch + commit) with python3 and its venv module, built once and kept;
#   2. buildah bud of ./Dockerfile with --build-arg BASE_IMAGE=<that base> (RUN steps in chroot isolation);
#   3. in the result (buildah run, as the image's unprivileged user): manage.py check --deploy in the
#      production profile, then migrate and a smoke start of gunicorn (deploy/gunicorn.conf.py)
#      answering /health/, /health/ready/ and the console's landing page.
# Needs root, buildah and debootstrap (apt-get install buildah debootstrap) and Debian's mirror and PyPI.
# Not part of .ci/run (it takes several minutes); the hosted pipelines build with Docker instead.
# Usage: deploy/build-image.sh        (DEBIAN_MIRROR=..., IMAGE=localhost/circulate:proof,
#        BUILD_CA_BUNDLE=/path/ca.crt when PyPI is reached through a TLS-intercepting proxy; PIP_CERT is used if set)
set -euo pipefail
cd "$(dirname "$0")/.."
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=localhost/circulate-base:bookworm
IMAGE=${IMAGE:-localhost/circulate:proof}
B=(buildah --storage-driver vfs)
START=$SECONDS
say() { printf '=== %s (%d s) ===\n' "$*" $((SECONDS - START)); }

for tool in buildah debootstrap; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install buildah debootstrap" >&2; exit 1; }
done

if ! "${B[@]}" inspect --type image "$BASE" >/dev/null 2>&1; then
  say "base image from Debian's packages"
  ROOTFS=$(mktemp -d /var/tmp/circulate-rootfs.XXXXXX)
  trap 'rm -rf "$ROOTFS"' EXIT
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$ROOTFS" "$MIRROR" >/dev/null
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
  ctr=$("${B[@]}" from scratch)
  mnt=$("${B[@]}" mount "$ctr")
  cp -a "$ROOTFS"/. "$mnt"/
  "${B[@]}" umount "$ctr" >/dev/null
  "${B[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env LANG=C.UTF-8 \
    --cmd /bin/bash "$ctr"
  "${B[@]}" commit --quiet "$ctr" "$BASE" >/dev/null
  "${B[@]}" rm "$ctr" >/dev/null
  rm -rf "$ROOTFS"
fi

# Behind a TLS-intercepting proxy pip inside the build must trust the host's CA bundle: it is mounted
# into the RUN steps (never into the image) with a pip.conf that points pip at it.
BUILD_VOLUMES=()
CA_BUNDLE=${BUILD_CA_BUNDLE:-${PIP_CERT:-}}
if [ -n "$CA_BUNDLE" ] && [ -f "$CA_BUNDLE" ]; then
  PIPCONF=$(mktemp /var/tmp/circulate-pip.XXXXXX.conf)
  printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$PIPCONF"
  chmod 644 "$PIPCONF"
  BUILD_VOLUMES=(--volume "$CA_BUNDLE:/etc/ssl/certs/ca-certificates.crt:ro" --volume "$PIPCONF:/etc/pip.conf:ro")
fi

say "buildah bud of the Dockerfile on $BASE"
# docker format: the OCI format has no HEALTHCHECK. --layers: a rebuild reuses the unchanged steps.
"${B[@]}" bud --quiet --format docker --layers --isolation chroot --pull=never "${BUILD_VOLUMES[@]}" --build-arg BASE_IMAGE="$BASE" \
  --tag "$IMAGE" . >/dev/null

say "manage.py check --deploy in the image"
ctr=$("${B[@]}" from "$IMAGE")
cleanup() { "${B[@]}" rm "$ctr" >/dev/null 2>&1 || true; }
trap cleanup EXIT
SECRET="image-proof-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')"
PROD=(--env DJANGO_ENV=production --env "SECRET_KEY=$SECRET" --env ALLOWED_HOSTS=127.0.0.1 --env LOG_FORMAT=text)
"${B[@]}" run --isolation chroot "${PROD[@]}" "$ctr" -- python3 manage.py check --deploy --fail-level WARNING
"${B[@]}" run --isolation chroot "${PROD[@]}" "$ctr" -- id -u | grep -qx 10001
"${B[@]}" inspect --type image --format '{{.Docker.Config.Healthcheck.Test}}' "$IMAGE" | grep -q health/
# The smoke start speaks plain HTTP on loopback: TLS is the proxy's job.
PROD+=(--env SECURE_SSL_REDIRECT=false)

say "smoke start: migrate, gunicorn, /health/, /health/ready/, /"
PORT=${SMOKE_PORT:-18700}
"${B[@]}" run --isolation chroot "${PROD[@]}" --env "GUNICORN_BIND=127.0.0.1:$PORT" --env WEB_CONCURRENCY=2 "$ctr" -- sh -c '
  set -e
  python3 manage.py migrate --noinput >/dev/null
  gunicorn circulate.wsgi:application -c deploy/gunicorn.conf.py >/tmp/gunicorn.log 2>&1 &
  server=$!
  python3 - "$0" <<PY || { cat /tmp/gunicorn.log; kill $server; exit 1; }
import sys, time, urllib.request
base = "http://127.0.0.1:" + sys.argv[1]
deadline = time.monotonic() + 60
while True:
    try:
        urllib.request.urlopen(base + "/health/", timeout=2)
        break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
for path in ("/health/", "/health/ready/", "/"):
    with urllib.request.urlopen(base + path, timeout=10) as answer:
        print(path, answer.status)
        assert answer.status == 200
PY
  kill $server
  wait $server || true
' "$PORT"
say "image $IMAGE built on a Debian-made base and answering"
