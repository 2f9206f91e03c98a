# Circulate: one image for the HTTP tier (gunicorn, WSGI), the WebSocket tier (gunicorn + uvicorn
# workers, ASGI), the Celery worker and beat.
#
# BASE_IMAGE: any Debian-like image with python3.11 and its venv module (the public python image by
# default; deploy/build-image.sh builds on one made from Debian's packages where no registry is reachable).
ARG BASE_IMAGE=docker.io/library/python:3.11-slim-bookworm

# --- build: a virtual environment with Circulate and the exact versions of requirements/constraints.txt
FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
RUN python3 -m venv /opt/venv
COPY requirements/constraints.txt requirements/constraints.txt
COPY pyproject.toml README.md ./
COPY src ./src
COPY services/branch ./services/branch
# Circulate and the partner branch service (compose runs it from the same image).
RUN /opt/venv/bin/pip install --no-cache-dir -c requirements/constraints.txt . ./services/branch

# --- runtime: the environment and the entry points, run as an unprivileged user
FROM ${BASE_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=circulate.settings \
    CIRCULATE_VAR_DIR=/var/lib/circulate
# A fixed numeric id, so that an orchestrator can check runAsNonRoot without reading /etc/passwd.
RUN groupadd --system --gid 10001 circulate \
    && useradd --system --uid 10001 --gid circulate --home-dir /app --no-create-home --shell /usr/sbin/nologin circulate
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY manage.py ./
COPY deploy/gunicorn.conf.py deploy/gunicorn_ws.conf.py deploy/

# collectstatic in the production profile, so that it writes the manifest the production profile
# reads to name the files (hashed names; without it every page answers 500). The key only lets the
# settings load during this step; it is not kept in the image. Compose copies the files to nginx's volume.
RUN mkdir -p /var/lib/circulate /app/static \
    && DJANGO_ENV=production SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')" \
       python3 manage.py collectstatic --noinput >/dev/null \
    && chown -R circulate:circulate /var/lib/circulate /app/static

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python3", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4).status == 200 else 1)"]
CMD ["gunicorn", "circulate.wsgi:application", "-c", "deploy/gunicorn.conf.py"]
