#!/usr/bin/env bash
# Readers through Varnish on this machine: gunicorn on 127.0.0.1:8001 behind Varnish on
# 127.0.0.1:8000, purged by the app after every change. Ctrl-C stops both.
#   make serve-cached            (needs: apt-get install varnish varnish-modules)
set -euo pipefail
cd "$(dirname "$0")/.."

VARNISHD=$(command -v varnishd || echo /usr/sbin/varnishd)
if [ ! -x "$VARNISHD" ]; then
  echo "Varnish is not installed: apt-get install varnish varnish-modules" >&2
  exit 1
fi
CACHE_PORT=${CACHE_PORT:-8000}
APP_PORT=${APP_PORT:-8001}
work=$(mktemp -d)
sed "s/\"8001\"/\"$APP_PORT\"/" deploy/varnish/default.vcl > "$work/default.vcl"

export DJANGO_DEBUG=${DJANGO_DEBUG:-1}
# Without a shared page cache (REDIS_URL) each process keeps its own: use one, with threads.
if [ -z "${REDIS_URL:-}" ]; then
  export GUNICORN_WORKERS=${GUNICORN_WORKERS:-1} GUNICORN_THREADS=${GUNICORN_THREADS:-4}
fi
export CACHE_PURGE_URLS="http://127.0.0.1:$CACHE_PORT/"
.venv/bin/gunicorn -c python:crisis_tracker.gunicorn --bind "127.0.0.1:$APP_PORT" \
  crisis_tracker.wsgi &
app=$!
"$VARNISHD" -F -j none -n "$work/varnish" -a "127.0.0.1:$CACHE_PORT" -f "$work/default.vcl" \
  -s malloc,256m &
cache=$!
trap 'kill $app $cache 2>/dev/null; rm -rf "$work"' EXIT INT TERM
echo "Readers: http://127.0.0.1:$CACHE_PORT/ (through Varnish); editors: http://127.0.0.1:$CACHE_PORT/admin/"
wait -n $app $cache
