# newsflow worker image: `docker build -t newsflow .`, `docker run newsflow worker --check-config`.
# Two stages: the build stage installs the project into a virtualenv, the runtime stage copies only
# that virtualenv (no pip cache, no sources) and runs as an unprivileged user.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY workers ./workers
RUN pip install . \
    && newsflow --version

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="newsflow" \
      org.opencontainers.image.description="Stream-processing ingestion worker for news pages (Faust + Kafka)" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NEWSFLOW_WEB_HOST=0.0.0.0 \
    NEWSFLOW_WEB_PORT=6066 \
    NEWSFLOW_DATA_DIR=/var/lib/newsflow
RUN groupadd --system --gid 10001 newsflow \
    && useradd --system --uid 10001 --gid newsflow --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin newsflow \
    && mkdir -p /app /var/lib/newsflow \
    && chown newsflow:newsflow /app /var/lib/newsflow
COPY --from=build /opt/venv /opt/venv
# Sample pages for the compose `producer` service: `newsflow produce /app/examples/pages ...`.
COPY --chown=newsflow:newsflow workers/examples/pages /app/examples/pages
WORKDIR /app
USER newsflow:newsflow
EXPOSE 6066
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('NEWSFLOW_WEB_PORT', '6066') + '/healthz', timeout=4)"]
ENTRYPOINT ["newsflow"]
CMD ["worker"]
