# lms-emulator as a container image: every vendor on port 8080, configured by the LMS_EMULATOR_* variables.
#
#   docker build -t lms-emulator .                      # or: buildah bud -t lms-emulator .
#   docker run --rm -p 8080:8080 lms-emulator
#
# BASE_IMAGE: any Debian-like image with python3 (3.10+); the default is the official slim Python image.
# On a plain Debian base (`python3` only, where pip refuses to install into the system Python) the emulator goes
# into a virtual environment all the same; python3-venv is installed with apt when the base lacks it.
# PIP_INDEX_URL, PIP_CERT: optional build arguments for a package mirror or a TLS proxy's authority (lend the
# certificate file to the build, e.g. `buildah bud -v /etc/ssl/certs:/etc/ssl/certs:ro`; it is never copied in).
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

ARG PIP_INDEX_URL
ARG PIP_CERT

ENV VIRTUAL_ENV=/opt/lms-emulator \
    PATH=/opt/lms-emulator/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    LMS_EMULATOR_HOST=0.0.0.0 \
    LMS_EMULATOR_PORT=8080 \
    LMS_EMULATOR_CACHE=/var/cache/lms-emulator

COPY pyproject.toml setup.cfg README.md LICENSE /tmp/lms-emulator-src/
COPY emulator /tmp/lms-emulator-src/emulator
COPY schemas /tmp/lms-emulator-src/schemas
COPY fixtures /tmp/lms-emulator-src/fixtures

RUN set -eu; \
    if ! python3 -m venv /opt/lms-emulator 2>/dev/null; then \
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv \
        && rm -rf /var/lib/apt/lists/* && rm -rf /opt/lms-emulator && python3 -m venv /opt/lms-emulator; \
    fi; \
    pip="/opt/lms-emulator/bin/pip --no-cache-dir --disable-pip-version-check -q ${PIP_CERT:+--cert $PIP_CERT}"; \
    $pip install ${PIP_INDEX_URL:+--index-url $PIP_INDEX_URL} /tmp/lms-emulator-src; \
    rm -rf /tmp/lms-emulator-src; \
    useradd --system --uid 10001 --user-group --home-dir /var/lib/lms-emulator --shell /usr/sbin/nologin lms; \
    mkdir -p /var/lib/lms-emulator /var/cache/lms-emulator; \
    chown lms:lms /var/lib/lms-emulator /var/cache/lms-emulator

USER lms
WORKDIR /var/lib/lms-emulator
# The derived files that make start-up cheap (word lists, parser tables), made once at build time.
RUN python3 -c "from emulator import create_app; create_app()"

# --state-file: keep tenants across restarts with LMS_EMULATOR_STATE_FILE=/var/lib/lms-emulator/state.json
VOLUME /var/lib/lms-emulator
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 CMD ["python3", "-m", "emulator.healthcheck"]
CMD ["lms-emulator", "serve"]
