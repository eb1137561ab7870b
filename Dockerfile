# The service image: `docker build -t media-gateway .` (see docker-compose.yml for the full stack).
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY requirements.lock ./
RUN /opt/venv/bin/pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY application ./application
COPY adapters ./adapters
COPY entrypoints ./entrypoints
RUN /opt/venv/bin/pip install --no-deps .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OPENBLAS_NUM_THREADS=1 \
    MG_HTTP_HOST=0.0.0.0 \
    MG_HTTP_PORT=8080 \
    MG_DATA_DIR=/var/lib/media-gateway
RUN useradd --system --uid 10001 --home-dir /var/lib/media-gateway --create-home media-gateway
COPY --from=build /opt/venv /opt/venv
USER media-gateway
WORKDIR /var/lib/media-gateway
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/health/live', timeout=2).status != 200)"]
ENTRYPOINT ["media-gateway"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
