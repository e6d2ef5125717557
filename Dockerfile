# syntax=docker/dockerfile:1
#
# One image for all four services; the command picks the service:
#   docker run … bestil-en-betjent bestil serve screening
# Each service's settings come from its BESTIL_… environment variables (see docker-compose.yml).

ARG PYTHON_IMAGE=python:3.11-slim
ARG NODE_IMAGE=node:22-slim

# ---------------------------------------------------------------------------------------------
# Front-end packages: Det Fælles Designsystem and Leaflet, pinned in package-lock.json. The
# citizens' form serves their built files; nothing is fetched from a CDN at run time.
FROM ${NODE_IMAGE} AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
    && mkdir -p /out/node_modules \
    && for package in dkfds leaflet leaflet.markercluster; do \
         mkdir -p /out/node_modules/$package \
         && cp -r node_modules/$package/dist node_modules/$package/package.json \
              /out/node_modules/$package/; \
       done

# ---------------------------------------------------------------------------------------------
# Build: a virtual environment holding the package and its runtime dependencies only.
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# Dependencies first, in their own layer, exactly as locked (every file's hash checked): it is
# rebuilt only when the lock changes. The lock holds the runtime dependencies only, so neither
# the test tools nor the embedded development broker reach the image.
COPY deploy/requirements.lock ./
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --require-hashes -r requirements.lock

# Then the project itself (not editable; no test extras). README.md* copies it when present.
COPY pyproject.toml README.md* ./
COPY bestil ./bestil
COPY services ./services
COPY shared ./shared
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --no-deps . \
    && pip check

# ---------------------------------------------------------------------------------------------
# Runtime: the virtual environment and an unprivileged user; no compilers, no sources.
FROM ${PYTHON_IMAGE}

LABEL org.opencontainers.image.title="bestil-en-betjent" \
      org.opencontainers.image.description="Bestil en betjent: intake, routing, screening and notifications" \
      org.opencontainers.image.licenses="MIT"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BESTIL_VAR_DIR=/var/lib/bestil \
    BESTIL_INTAKE_NODE_MODULES=/opt/bestil/node_modules

RUN groupadd --system --gid 10001 bestil \
    && useradd --system --uid 10001 --gid bestil --home-dir /var/lib/bestil \
        --no-create-home --shell /usr/sbin/nologin bestil \
    && install -d -o bestil -g bestil -m 0750 /var/lib/bestil

COPY --from=build /opt/venv /opt/venv
COPY --from=assets /out/node_modules /opt/bestil/node_modules

WORKDIR /var/lib/bestil
USER bestil:bestil

# intake 8001, screening 8002, routing 8003, notifications 8004 (each service's default port).
EXPOSE 8001 8002 8003 8004

# Liveness on whichever service this container runs: the service is the last argument of
# `bestil serve <service>` (PID 1, or its child under an init), its port that service's
# settings, so a BESTIL_<SERVICE>_PORT override is honoured.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request\nfrom bestil.services import SERVICES, settings_for\nargs = open('/proc/1/cmdline', 'rb').read().decode().split('\\0')\nname = next(a for a in reversed(args) if a in SERVICES)\nurllib.request.urlopen(f'http://127.0.0.1:{settings_for(name).port}/healthz', timeout=4)"]

CMD ["bestil", "serve", "intake"]
