# syntax=docker/dockerfile:1

# ---- build ------------------------------------------------------------------
# At least the Go release of go.mod's toolchain line: go1.26.8 and older reach
# standard-library vulnerabilities fixed in 1.26.9 and 1.26.10 (README, "Which
# Go"). The golang images set GOTOOLCHAIN=local, which would build with
# whatever the tag holds; auto makes go.mod's toolchain line win should this
# tag ever be older than it (the go command then downloads that release).
ARG GO_VERSION=1.26.11
FROM golang:${GO_VERSION}-bookworm AS build
ENV GOTOOLCHAIN=auto
WORKDIR /src

# Dependencies first, so this layer is cached until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download

# The build context has no .git (.dockerignore), so the version comes in as
# build arguments; `make docker` passes what `make build` stamps:
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) \
#     --build-arg COMMIT=$(git rev-parse HEAD) --build-arg BUILD_DATE=$(date -u +%FT%TZ) .
# Left empty, ideasx version says "dev".
ARG VERSION=""
ARG COMMIT=""
ARG BUILD_DATE=""
COPY . .
RUN CGO_ENABLED=0 go build -trimpath \
    -ldflags="-s -w -X ideasx/server/buildinfo.version=${VERSION} -X ideasx/server/buildinfo.commit=${COMMIT} -X ideasx/server/buildinfo.date=${BUILD_DATE}" \
    -o /out/ideasx ./cmd/ideasx

# Data directory owned by the distroless "nonroot" user (uid/gid 65532).
# It is copied as an entry of /out/rootfs so the ownership applies to the
# directory itself, not only to its (empty) contents.
RUN mkdir -p /out/rootfs/data && chown 65532:65532 /out/rootfs/data && chmod 0750 /out/rootfs/data

# ---- runtime ----------------------------------------------------------------
# distroless/static: no shell, no package manager, CA certificates and tzdata
# included, runs as the unprivileged "nonroot" user.
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/ideasx /ideasx
COPY --from=build --chown=65532:65532 /out/rootfs/ /

ENV IDEASX_ADDR=:8080 \
    IDEASX_DATA_DIR=/data

VOLUME /data
EXPOSE 8080
USER nonroot:nonroot

# The image has no shell or HTTP client: the binary asks its own /readyz.
# Orchestrators with HTTP probes (Kubernetes) use /healthz and /readyz.
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 CMD ["/ideasx", "healthcheck"]
ENTRYPOINT ["/ideasx"]
CMD ["serve"]
