# gpc-assure in a container: the wheel on a slim Python, run as a non-root user.
#   docker build -t gpc-assure .
#   docker run --rm -v "$PWD/reports:/reports" -v "$PWD/provider.toml:/config/provider.toml:ro" \
#       gpc-assure run --config /config/provider.toml --report-dir /reports/release-42
FROM python:3.12-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 assure \
    && mkdir /reports \
    && chown assure /reports
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels
USER 10001
WORKDIR /reports
VOLUME ["/reports"]
ENTRYPOINT ["gpc-assure"]
CMD ["--help"]
