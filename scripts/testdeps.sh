#!/usr/bin/env bash
# Makes sure the services the test suite needs are available on a Debian 12
# machine: PostgreSQL and Redis where IDEASX_TEST_DATABASE_URL and
# IDEASX_TEST_REDIS_URL point (default 127.0.0.1:5432, database ideasx_test,
# and 127.0.0.1:6379), Chromium and axe-core (browser tests) and a C compiler
# (go test -race).
#
# Idempotent: services that already run are left alone. Under CI=true any step
# that cannot be completed makes the script exit non-zero; otherwise it warns
# and continues (the Go tests skip locally when a service is missing).
set -euo pipefail

# url_part URL FIELD: prints host, port or path (without the leading "/") of
# a scheme://[user[:password]@]host[:port][/path][?query] URL, empty when absent.
url_part() {
	local rest=${1#*://}
	rest=${rest%%\?*}
	rest=${rest##*@}
	local hostport=${rest%%/*} path=""
	[[ "$rest" == */* ]] && path=${rest#*/}
	case $2 in
	host) printf '%s' "${hostport%%:*}" ;;
	port) [[ "$hostport" == *:* ]] && printf '%s' "${hostport##*:}" ;;
	path) printf '%s' "$path" ;;
	esac
	return 0
}

# The same services the Makefile hands to the tests (IDEASX_TEST_*_URL), so
# that `make test IDEASX_TEST_REDIS_URL=redis://127.0.0.1:6380/15` prepares
# the Redis the tests will use.
PG_URL="${IDEASX_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ideasx_test?sslmode=disable}"
REDIS_URL="${IDEASX_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
PG_HOST=$(url_part "$PG_URL" host)
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=$(url_part "$PG_URL" port)
PG_PORT=${PG_PORT:-5432}
PG_TEST_DB=$(url_part "$PG_URL" path)
PG_TEST_DB=${PG_TEST_DB:-ideasx_test}
REDIS_HOST=$(url_part "$REDIS_URL" host)
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=$(url_part "$REDIS_URL" port)
REDIS_PORT=${REDIS_PORT:-6379}
CHROMIUM="${IDEASX_TEST_CHROMIUM:-/usr/bin/chromium}"
WAIT_SECONDS=30

log() { printf 'testdeps: %s\n' "$*"; }

status=0
fail() {
	if [[ "${CI:-}" == "true" ]]; then
		printf 'testdeps: ERROR: %s\n' "$*" >&2
		exit 1
	fi
	printf 'testdeps: WARNING: %s (continuing; the tests that need it will skip)\n' "$*" >&2
	status=1
}

# Run privileged commands directly as root, through passwordless sudo otherwise.
as_root() {
	if [[ "$(id -u)" -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		return 1
	fi
}

apt_updated=false
apt_install() {
	if ! command -v apt-get >/dev/null 2>&1; then
		log "apt-get not available, cannot install $*"
		return 1
	fi
	if [[ "$apt_updated" == false ]]; then
		log "running apt-get update"
		as_root apt-get update -qq || return 1
		apt_updated=true
	fi
	log "installing $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || return 1
}

# wait_for DESCRIPTION COMMAND...: polls COMMAND once a second, WAIT_SECONDS at most.
wait_for() {
	local what=$1
	shift
	local i
	for ((i = 0; i < WAIT_SECONDS; i++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 1
	done
	log "$what not ready after ${WAIT_SECONDS}s"
	return 1
}

# ---------------------------------------------------------------- PostgreSQL

pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
pg_psql() { psql -w -h "$PG_HOST" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }

pg_cluster_version() {
	{ ls /etc/postgresql 2>/dev/null || true; } | sort -V | tail -1
}

# Makes password-less TCP connections from localhost work (trust), as the
# tests connect as postgres@127.0.0.1 without a password.
pg_trust_localhost() {
	if pg_psql -tAc 'SELECT 1' >/dev/null 2>&1; then
		return 0
	fi
	local version hba
	version=$(pg_cluster_version)
	hba="/etc/postgresql/${version}/main/pg_hba.conf"
	[[ -n "$version" && -f "$hba" ]] || return 1
	log "configuring trust authentication for localhost in $hba"
	as_root sed -i -E \
		-e 's/^(host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1\/32[[:space:]]+)[^[:space:]]+/\1trust/' \
		-e 's/^(host[[:space:]]+all[[:space:]]+all[[:space:]]+::1\/128[[:space:]]+)[^[:space:]]+/\1trust/' \
		"$hba" || return 1
	as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload >/dev/null || return 1
	sleep 1
	pg_psql -tAc 'SELECT 1' >/dev/null 2>&1
}

ensure_postgres() {
	if ! command -v pg_isready >/dev/null 2>&1 || ! pg_ready; then
		if [[ -z "$(pg_cluster_version)" ]]; then
			apt_install postgresql || { fail "could not install PostgreSQL"; return; }
		fi
		local version
		version=$(pg_cluster_version)
		if [[ -z "$version" ]]; then
			fail "PostgreSQL is installed but no cluster exists under /etc/postgresql"
			return
		fi
		if ! pg_ready; then
			log "starting PostgreSQL $version/main"
			as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
				{ fail "could not start PostgreSQL $version/main"; return; }
		fi
		wait_for "PostgreSQL" pg_ready || { fail "PostgreSQL did not become ready on $PG_HOST:$PG_PORT"; return; }
		log "PostgreSQL $version started on $PG_HOST:$PG_PORT"
	else
		log "PostgreSQL ready on $PG_HOST:$PG_PORT"
	fi

	pg_trust_localhost || { fail "cannot connect to PostgreSQL as postgres@$PG_HOST without a password"; return; }

	local exists
	exists=$(pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname='${PG_TEST_DB}'") ||
		{ fail "cannot query PostgreSQL"; return; }
	if [[ "$exists" == "1" ]]; then
		log "database $PG_TEST_DB exists"
	elif createdb -w -h "$PG_HOST" -p "$PG_PORT" -U postgres "$PG_TEST_DB"; then
		log "database $PG_TEST_DB created"
	else
		fail "could not create database $PG_TEST_DB"
	fi
}

# --------------------------------------------------------------------- Redis

redis_ready() { [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]; }

ensure_redis() {
	if command -v redis-cli >/dev/null 2>&1 && redis_ready; then
		log "Redis ready on $REDIS_HOST:$REDIS_PORT"
		return
	fi
	if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
		apt_install redis-server || { fail "could not install redis-server"; return; }
	fi
	# The package's post-install step may already have started it.
	if redis_ready; then
		log "Redis ready on $REDIS_HOST:$REDIS_PORT"
		return
	fi
	as_root mkdir -p /var/lib/redis /var/log/redis || { fail "could not create Redis directories"; return; }
	log "starting redis-server on $REDIS_HOST:$REDIS_PORT"
	as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
		--save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log ||
		{ fail "could not start redis-server"; return; }
	wait_for "Redis" redis_ready || { fail "Redis did not become ready on $REDIS_HOST:$REDIS_PORT"; return; }
	log "Redis started on $REDIS_HOST:$REDIS_PORT"
}

# ------------------------------------------------------------------ Chromium

ensure_chromium() {
	if [[ -x "$CHROMIUM" ]]; then
		log "Chromium present at $CHROMIUM"
		return
	fi
	apt_install chromium fonts-dejavu-core || { fail "could not install chromium"; return; }
	if [[ -x "$CHROMIUM" ]]; then
		log "Chromium installed at $CHROMIUM"
	else
		fail "chromium installed but $CHROMIUM is missing (set IDEASX_TEST_CHROMIUM)"
	fi
}

# ------------------------------------------------------------------ axe-core

# The browser tests inject axe-core into pages (server/browsertest/axe.go).
# Its release is pinned, with its checksum, by the package.json and
# package-lock.json in AXE_DIR; npm ci installs exactly that, into
# AXE_DIR/node_modules, which is not committed.
AXE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/server/testdata/axe"

# json_version FILE: the first "version" of a package.json.
json_version() { { sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$1" 2>/dev/null || true; } | head -1; }

ensure_axe() {
	local want have
	want=$(sed -n 's/^ *"axe-core": *"\([^"]*\)".*/\1/p' "$AXE_DIR/package.json" | head -1)
	have=$(json_version "$AXE_DIR/node_modules/axe-core/package.json")
	if [[ -n "$want" && "$have" == "$want" && -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]]; then
		log "axe-core $have present"
		return
	fi
	if ! command -v npm >/dev/null 2>&1; then
		apt_install npm || { fail "could not install npm (needed to install axe-core)"; return; }
	fi
	log "installing axe-core $want with npm ci into $AXE_DIR"
	(cd "$AXE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
		{ fail "npm ci could not install axe-core $want"; return; }
	log "axe-core $(json_version "$AXE_DIR/node_modules/axe-core/package.json") installed"
}

# ---------------------------------------------------------- C compiler (-race)

ensure_cc() {
	if command -v gcc >/dev/null 2>&1 || command -v cc >/dev/null 2>&1; then
		log "C compiler present (needed by go test -race)"
		return
	fi
	apt_install gcc libc6-dev || { fail "could not install gcc (needed by go test -race)"; return; }
	log "C compiler installed (needed by go test -race)"
}

ensure_postgres
ensure_redis
ensure_chromium
ensure_axe
ensure_cc

if [[ $status -ne 0 ]]; then
	log "done, with warnings"
else
	log "all test services ready"
fi
