# syntax=docker/dockerfile:1
# mentorprogram's production image: one image for web, worker, beat and migrate
# (deploy/entrypoint.sh picks the process). See README › Deploying › Containers.

# --- Front-end libraries from npm --------------------------------------------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- Python wheels -----------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS wheels
WORKDIR /src
COPY requirements.txt ./
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

# --- The image ---------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/app/.venv/bin:$PATH \
    DEBUG=0 \
    STATIC_ROOT=/app/public/static \
    GUNICORN_BIND=0.0.0.0:8000 \
    GUNICORN_WORKER_TMP_DIR=/dev/shm
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app
WORKDIR /app
COPY requirements.txt ./
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    python -m venv /app/.venv \
    && /app/.venv/bin/pip install --no-cache-dir --no-index --find-links=/wheels -r requirements.txt
COPY --from=assets /src/node_modules ./node_modules
COPY . .
# Static files are collected with DEBUG=0, as production serves them: the manifest is part of
# the image. The key is a placeholder for this one command; the real one comes at run time.
RUN SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/var \
    && chown app:app /app/var
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["/app/deploy/entrypoint.sh", "healthcheck"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
