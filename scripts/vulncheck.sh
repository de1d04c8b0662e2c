#!/usr/bin/env bash
# Runs govulncheck on the module against a vulnerability database built here
# from the golang.org/x/vulndb module (scripts/vulndb), not vuln.go.dev: the
# module comes through the Go module proxy like any dependency, and once it
# has been fetched the check runs with no network at all (it then uses the
# database built last and says how old it is).
#
# Environment:
#   GOVULNCHECK_VERSION  govulncheck to use (default v1.10.0)
#   VULNDB_VERSION       x/vulndb version (default latest; pin it to reproduce a run)
#   VULNCHECK_CACHE      where govulncheck and the database are kept (default .cache/vulncheck)
#   VULNCHECK_FLAGS      more govulncheck flags, e.g. "-show verbose"
#
# Exit status is govulncheck's: 3 when the code reaches a known vulnerability.
set -euo pipefail

cd "$(dirname "$0")/.."

GO="${GO:-go}"
GOVULNCHECK_VERSION="${GOVULNCHECK_VERSION:-v1.10.0}"
VULNDB_VERSION="${VULNDB_VERSION:-latest}"
CACHE="${VULNCHECK_CACHE:-.cache/vulncheck}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"

bin="$CACHE/govulncheck-$GOVULNCHECK_VERSION/govulncheck"
if [[ ! -x "$bin" ]]; then
	echo "vulncheck: installing govulncheck $GOVULNCHECK_VERSION"
	GOBIN="$(dirname "$bin")" "$GO" install "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION"
fi

# Outside the module, so that the download cannot touch go.mod or go.sum.
# On failure the JSON carries the error and scripts/vulndb falls back.
download="$(cd / && "$GO" mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" 2>/dev/null)" || true
db="$(printf '%s' "$download" | "$GO" run ./scripts/vulndb -cache "$CACHE")"

# govulncheck reports on the standard library of the go command it runs,
# which is the toolchain go.mod selects when GOTOOLCHAIN allows it (the
# Makefile sets GOTOOLCHAIN=auto): the Go the binary is built with.
echo "vulncheck: $("$GO" env GOVERSION), govulncheck $GOVULNCHECK_VERSION, database $(basename "$db")"
# shellcheck disable=SC2086 # VULNCHECK_FLAGS is a list of flags
exec "$bin" -db "file://$db" ${VULNCHECK_FLAGS:-} ./...
