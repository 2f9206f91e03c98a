# Circulate: one image for the HTTP tier (gunicorn, WSGI), the WebSocket tier (gunicorn + uvicorn
# workers, ASGI), the Celery worker and beat.
FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=circulate.settings \
    CIRCULATE_VAR_DIR=/var/lib/circulate

RUN groupadd --system circulate && useradd --system --gid circulate --home /app circulate
WORKDIR /app

COPY requirements/constraints.txt requirements/constraints.txt
COPY pyproject.toml README.md ./
COPY src ./src
COPY services/branch ./services/branch
RUN pip install -c requirements/constraints.txt . ./services/branch \
    && mkdir -p /var/lib/circulate /app/static \
    && chown -R circulate:circulate /var/lib/circulate /app/static
COPY manage.py ./
COPY deploy/gunicorn.conf.py deploy/gunicorn_ws.conf.py deploy/

# collectstatic needs settings but no database or secret of the deployment.
RUN DJANGO_ENV=development STATIC_ROOT=/app/static python manage.py collectstatic --noinput

USER circulate
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health/').status == 200 else 1)"
CMD ["gunicorn", "circulate.wsgi:application", "-c", "deploy/gunicorn.conf.py"]
