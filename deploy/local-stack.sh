#!/usr/bin/env bash
# Run the production topology of compose.yaml with local processes and check it end to end:
#   nginx (deploy/nginx.conf) → gunicorn WSGI workers for HTTP (deploy/gunicorn.conf.py)
#   and gunicorn/uvicorn workers for /ws/ (deploy/gunicorn_ws.conf.py)
#   + Celery worker + beat, on PostgreSQL and Redis, with DJANGO_ENV=production,
#   + the partner branch service (services/branch) on MariaDB.
# Everything listens on loopback only and is stopped when the script ends.
# Usage: deploy/local-stack.sh            (needs nginx, PostgreSQL, Redis and MariaDB on 127.0.0.1,
#        or at STACK_PG_HOST / STACK_REDIS_HOST / STACK_MARIADB_HOST, e.g. a hosted pipeline's service containers)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
NGINX_PORT=${NGINX_PORT:-8780}
WEB_PORT=${WEB_PORT:-8781}
WS_PORT=${WS_PORT:-8782}
BRANCH_PORT=${BRANCH_PORT:-8783}
BRANCH_DB=${STACK_BRANCH_DB:-circulate_stack_branch}
DB=${STACK_DB:-circulate_stack}
PG_HOST=${STACK_PG_HOST:-127.0.0.1}
REDIS_HOST=${STACK_REDIS_HOST:-127.0.0.1}
MARIADB_HOST=${STACK_MARIADB_HOST:-127.0.0.1}
REDIS_DB=${STACK_REDIS_DB:-13}
BROKER_DB=${STACK_BROKER_DB:-14}
# The slow-client checks wait this long (nginx.conf's own timeouts are longer).
SLOW_CLIENT_TIMEOUT=${SLOW_CLIENT_TIMEOUT:-2}
WORK=$(mktemp -d /tmp/circulate-stack.XXXXXX)
chmod 755 "$WORK"  # nginx workers run unprivileged and must read the static files
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

# A scratch database, new each run.
psql -h "$PG_HOST" -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
psql -h "$PG_HOST" -U postgres -qc "CREATE DATABASE $DB"
mysql -h "$MARIADB_HOST" -u root -e "DROP DATABASE IF EXISTS $BRANCH_DB; CREATE DATABASE $BRANCH_DB CHARACTER SET utf8mb4"

export DJANGO_ENV=production
export SECRET_KEY="local-stack-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')"
export ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=false   # plain HTTP on loopback; TLS is the deployment's proxy's job
export DATABASE_URL=postgres://postgres@$PG_HOST:5432/$DB
export REDIS_URL=redis://$REDIS_HOST:6379/$REDIS_DB
export CELERY_BROKER_URL=redis://$REDIS_HOST:6379/$BROKER_DB
export CELERY_RESULT_BACKEND=redis://$REDIS_HOST:6379/$BROKER_DB
export CIRCULATE_VAR_DIR=$WORK/var
export STATIC_ROOT=$WORK/static
export GUNICORN_BIND=127.0.0.1:$WEB_PORT
export GUNICORN_WS_BIND=127.0.0.1:$WS_PORT
export WEB_CONCURRENCY=2
export WS_CONCURRENCY=1
export BRANCH_PORT
export BRANCH_DATABASE_URL=mysql://root@$MARIADB_HOST:3306/$BRANCH_DB
export BRANCH_API_TOKEN="branch-$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
export PARTNERS_DEMO_BRANCH_URL=http://127.0.0.1:$BRANCH_PORT

$BIN/python manage.py migrate --noinput >"$WORK/migrate.log"
$BIN/python manage.py collectstatic --noinput >"$WORK/collectstatic.log"
$BIN/python manage.py seed_demo >"$WORK/seed.log"

PATH="$PWD/$BIN:$PATH" gunicorn circulate.wsgi:application -c deploy/gunicorn.conf.py >"$WORK/web.log" 2>&1 &
PIDS+=($!)
PATH="$PWD/$BIN:$PATH" gunicorn circulate.asgi:application -c deploy/gunicorn_ws.conf.py >"$WORK/ws.log" 2>&1 &
PIDS+=($!)
PATH="$PWD/$BIN:$PATH" celery -A circulate worker --loglevel=INFO --concurrency=1 >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
PATH="$PWD/$BIN:$PATH" circulate-branch serve >"$WORK/branch.log" 2>&1 &
PIDS+=($!)
PATH="$PWD/$BIN:$PATH" celery -A circulate beat --loglevel=INFO --schedule "$WORK/beat-schedule" >"$WORK/beat.log" 2>&1 &
PIDS+=($!)

mkdir -p "$WORK/nginx"
sed -e "s|server web:8000;|server 127.0.0.1:$WEB_PORT;|" \
    -e "s|server ws:8001;|server 127.0.0.1:$WS_PORT;|" \
    -e "s|listen 80;|listen 127.0.0.1:$NGINX_PORT;|" \
    -e "s|alias /srv/static/;|alias $STATIC_ROOT/;|" \
    -e "s|alias /srv/media/;|alias $WORK/var/media/;|" \
    -e "s|/var/cache/nginx/gbfs|$WORK/nginx/cache-gbfs|" \
    -e "s|client_header_timeout 10s;|client_header_timeout ${SLOW_CLIENT_TIMEOUT}s;|" \
    -e "s|client_body_timeout 15s;|client_body_timeout ${SLOW_CLIENT_TIMEOUT}s;|" deploy/nginx.conf >"$WORK/nginx/site.conf"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log $WORK/nginx/access.log;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  include $WORK/nginx/site.conf;
}
CONF
nginx -c "$WORK/nginx/nginx.conf"

BASE=http://127.0.0.1:$NGINX_PORT
for _ in $(seq 60); do curl -sf "$BASE/health/" >/dev/null && break; sleep 1; done
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$BRANCH_PORT/health/ready" >/dev/null && break; sleep 1; done
STACK_SLOW_CLIENT_TIMEOUT=$SLOW_CLIENT_TIMEOUT $BIN/python deploy/check_stack.py "$BASE" || { tail -n 40 "$WORK"/*.log "$WORK"/nginx/error.log; exit 1; }
echo "local stack OK (logs in $WORK)"
