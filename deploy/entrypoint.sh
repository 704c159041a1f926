#!/usr/bin/env bash
# The one way to start mentorprogram in production: the systemd units, the container image and
# the CI stack test all run this script.
#
#   entrypoint.sh migrate        apply the database migrations (before web and workers start)
#   entrypoint.sh collectstatic  collect static files with the production storage (run with DEBUG=0)
#   entrypoint.sh preflight      refuse to go on unless this is a production configuration
#   entrypoint.sh web            preflight, then gunicorn with deploy/gunicorn.conf.py
#   entrypoint.sh worker         a Celery worker (as many as you like)
#   entrypoint.sh beat           Celery beat (exactly one in the whole deployment)
#   entrypoint.sh healthcheck [--wait SECONDS]   ask this host's web process for /healthz
#   entrypoint.sh manage ARGS…   any manage.py command
set -euo pipefail

# The project's Python package (settings, WSGI and Celery apps) is named here and nowhere else.
APP_MODULE="${APP_MODULE:-config}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-$APP_MODULE.settings}"
export PYTHONUNBUFFERED=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -x "$ROOT/.venv/bin/python" ]; then
  PATH="$ROOT/.venv/bin:$PATH"
fi

manage() { python manage.py "$@"; }

command="${1:-web}"
shift || true
case "$command" in
  migrate)
    manage migrate --noinput "$@"
    ;;
  collectstatic)
    manage collectstatic --noinput -v0 "$@"
    ;;
  preflight)
    manage preflight "$@"
    ;;
  web)
    manage preflight
    exec gunicorn --config "$ROOT/deploy/gunicorn.conf.py" "$@" "$APP_MODULE.wsgi:application"
    ;;
  worker)
    exec celery -A "$APP_MODULE" --quiet worker --loglevel "${LOG_LEVEL:-INFO}" \
      --concurrency "${CELERY_CONCURRENCY:-2}" --hostname "${CELERY_HOSTNAME:-worker@%h}" "$@"
    ;;
  beat)
    # The schedule lives in the database (django-celery-beat): no schedule file, no pid file.
    exec celery -A "$APP_MODULE" --quiet beat --loglevel "${LOG_LEVEL:-INFO}" --pidfile= "$@"
    ;;
  healthcheck)
    exec python - "$@" <<'PY'
import http.client, os, sys, time

wait = float(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "--wait" else 0
host, _, port = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").rpartition(":")
host = "127.0.0.1" if host in ("", "0.0.0.0", "[::]") else host.strip("[]")
name = (os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")) or "localhost"
deadline = time.monotonic() + wait
while True:
    try:
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        conn.request("GET", "/healthz", headers={"Host": name, "X-Forwarded-Proto": "https"})
        answer = conn.getresponse()
        body = answer.read().decode()
        if answer.status == 200:
            print(body)
            sys.exit(0)
        problem = f"{answer.status} {body}"
    except OSError as exc:
        problem = str(exc)
    if time.monotonic() >= deadline:
        print(f"healthz: {problem}", file=sys.stderr)
        sys.exit(1)
    time.sleep(1)
PY
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  *)
    echo "usage: $0 {migrate|collectstatic|preflight|web|worker|beat|healthcheck|manage}" >&2
    exit 64
    ;;
esac
