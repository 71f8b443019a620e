# orderhub: the same steps as the Makefile, in three stages.
# 1. htmx (and nothing else) from the npm registry, served from our own static files.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json ./
RUN npm install --no-audit --no-fund --omit=dev --silent \
 && mkdir -p vendor \
 && cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/dist/ext/hx-sse.min.js node_modules/htmx.org/dist/ext/hx-head.min.js vendor/

# 2. Python dependencies into a virtualenv.
FROM python:3.11-slim-bookworm AS python
WORKDIR /app
RUN pip install --no-cache-dir uv && python -m venv /venv
COPY pyproject.toml README.md ./
COPY orderhub ./orderhub
RUN VIRTUAL_ENV=/venv uv pip install --no-cache .

# 3. Runtime: WeasyPrint's libraries and a Japanese font, the app, htmx.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core fonts-lato fonts-open-sans \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 orderhub
COPY --from=python /venv /venv
COPY --from=python /app/orderhub /app/orderhub
COPY --from=assets /build/vendor /app/orderhub/static/vendor
WORKDIR /app
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    ORDERHUB_DATA_DIR=/data \
    DATABASE_URL=sqlite:////data/orderhub.sqlite3
RUN mkdir -p /data && chown orderhub /data
USER orderhub
VOLUME ["/data"]
EXPOSE 8000
CMD ["orderhub", "serve", "--host", "0.0.0.0", "--port", "8000"]
