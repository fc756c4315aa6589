# The gateway (and, with another command, the embedded register) as one image.
# NOT RUN HERE: this project's machine has no container engine (only the docker client). Written to be
# correct by reading; see docs/operations.md, "Deployment".
#
#   docker build -t fiks-folkeregister .
#   docker run -p 8080:8080 -e FIKSREG_DATABASE_URL=... -e FIKSREG_REDIS_URL=... fiks-folkeregister

FROM python:3.11-slim-bookworm AS build
WORKDIR /build
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/venv/bin/pip install --no-cache-dir -c constraints.txt .

FROM python:3.11-slim-bookworm
# Pango and HarfBuzz for WeasyPrint (the insight letter as PDF), a font to set it in.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin fiksreg \
 && mkdir -p /data /run/fiksreg-metrics \
 && chown fiksreg /data /run/fiksreg-metrics
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FIKSREG_DATA_DIR=/data \
    PROMETHEUS_MULTIPROC_DIR=/run/fiksreg-metrics
USER fiksreg
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# Liveness only: readiness (/ready) is for the load balancer, which stops sending while it is 503.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=2)"]
ENTRYPOINT ["fiks-folkeregister"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
