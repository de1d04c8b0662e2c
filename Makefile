# Ideas Exchange — build, test and packaging entry points.
# The default target is `build`.

GO    ?= go
BIN   ?= bin/ideasx
IMAGE ?= ideasx

# Services used by the integration and browser tests (see scripts/testdeps.sh).
# Override on the command line or in the environment, e.g.
#   make test IDEASX_TEST_REDIS_URL=redis://127.0.0.1:6380/15
IDEASX_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ideasx_test?sslmode=disable
IDEASX_TEST_REDIS_URL    ?= redis://127.0.0.1:6379/15
IDEASX_TEST_CHROMIUM     ?= /usr/bin/chromium
export IDEASX_TEST_DATABASE_URL IDEASX_TEST_REDIS_URL IDEASX_TEST_CHROMIUM

# Build, test and check with the Go release named by go.mod's toolchain line,
# which has the standard library's security fixes (README, "Which Go"); the go
# command downloads it once through the module proxy when the local Go is
# older. A GOTOOLCHAIN set in the environment wins, e.g. local when offline.
GOTOOLCHAIN ?= auto
export GOTOOLCHAIN

.PHONY: build run test testdeps vet vulncheck bench bench-live bench-live-compare bench-http bench-flood chaos chaos-net chaos-pg chaos-stop chaos-slow fmt lint clean docker

# What `ideasx version`, the start-up log, /healthz and ideasx_build_info
# report. Override for a release build, e.g. make build VERSION=v1.4.0
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT     ?= $(shell git rev-parse HEAD 2>/dev/null)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS    := -X ideasx/server/buildinfo.version=$(VERSION) -X ideasx/server/buildinfo.commit=$(COMMIT) -X ideasx/server/buildinfo.date=$(BUILD_DATE)

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/ideasx

run:
	$(GO) run ./cmd/ideasx

testdeps:
	scripts/testdeps.sh

vet:
	$(GO) vet ./...

test: testdeps
	$(GO) vet ./...
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 45m ./...

# Known vulnerabilities reachable from the code, checked offline against a
# database built from the golang.org/x/vulndb module (scripts/vulncheck.sh).
# Not part of test: the first run fetches x/vulndb and builds govulncheck.
vulncheck:
	GO=$(GO) scripts/vulncheck.sh

bench: testdeps
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

# Live delivery end to end (issue 5): two instances, Postgres, Redis, N
# websocket clients. Not a pass/fail test: it prints a report and a JSON line.
#   make bench-live BENCH_LIVE_FLAGS='-clients 5000'
#   make bench-live BENCH_LIVE_FLAGS='-idle -clients 10000'
BENCH_LIVE_FLAGS ?=
bench-live: testdeps
	$(GO) run ./server/live/livebench $(BENCH_LIVE_FLAGS)

# ideasx against Centrifugo v6.9.1 with its Redis engine (issue 17): the same
# clients, rate and message size, taken in turns (-rounds), side by side with
# the ratio of p50 and p99. Centrifugo goes into bin/centrifugo once.
#   make bench-live-compare BENCH_LIVE_FLAGS='-clients 5000 -rounds 5'
CENTRIFUGO_VERSION := v6.9.1
bin/centrifugo/centrifugo-$(CENTRIFUGO_VERSION):
	GOBIN=$(CURDIR)/bin/centrifugo $(GO) install github.com/centrifugal/centrifugo/v6@$(CENTRIFUGO_VERSION)
	touch $@
bench-live-compare: testdeps bin/centrifugo/centrifugo-$(CENTRIFUGO_VERSION)
	$(GO) run ./server/live/livebench -target both -centrifugo bin/centrifugo/centrifugo $(BENCH_LIVE_FLAGS)

# Pages under load (issue 17): one `ideasx serve` on a fresh database of its
# own (created and dropped on the machine's Postgres; -engine sqlite for a
# temporary SQLite file), a thread of 50 posts and 1,000 documents; req/s and
# p50/p90/p99 of the thread page (member, moderator), forum list, documents
# list and both searches, 32 connections. Prints a table and a JSON line.
#   make bench-http BENCH_HTTP_FLAGS='-duration 30s -connections 64 -only thread'
#   make bench-http BENCH_HTTP_FLAGS='-engine sqlite -wrk'   (wrk -t2, when on PATH)
BENCH_HTTP_FLAGS ?=
bench-http: testdeps
	$(GO) run ./server/httpbench $(BENCH_HTTP_FLAGS)

# Faults under load (issue 12): two instances, 500 websocket clients, 20
# replies/s, and a private redis-server of the run (never the machine's)
# killed for 10 s, then started again. Prints a report with the figures;
# exits non-zero if an event was lost or duplicated.
#   make chaos CHAOS_FLAGS='-chaos-outage 30s -clients 2000'
CHAOS_FLAGS ?=
chaos: testdeps
	$(GO) run ./server/live/livebench -chaos redis -clients 500 -rate 20 $(CHAOS_FLAGS)

# The same load with instance A's link to Redis delayed 200 ms for 10 s,
# then cut for 10 s, through Toxiproxy v2 (built once from the Go module
# proxy into bin/toxiproxy; TOXIPROXY=path uses another).
TOXIPROXY ?= bin/toxiproxy/server
chaos-net: testdeps
	test -x $(TOXIPROXY) || GOBIN=$(CURDIR)/bin/toxiproxy $(GO) install github.com/Shopify/toxiproxy/v2/cmd/server@v2.5.0
	$(GO) run ./server/live/livebench -chaos redis-net -toxiproxy $(TOXIPROXY) -clients 500 -rate 20 $(CHAOS_FLAGS)

# The same load with a private Postgres cluster of the run (initdb into a
# temporary directory, run as the postgres user; never the machine's)
# stopped in immediate mode, as a crash, for 10 s, then started again.
# Also checks the answers to the posts refused meanwhile (503 unavailable
# with Retry-After), that every post answered 201 is in the database, and
# /readyz of both instances; exits non-zero if one is missing.
#   make chaos-pg CHAOS_FLAGS='-pg-stop fast -chaos-outage 3s'
chaos-pg: testdeps
	$(GO) run ./server/live/livebench -chaos postgres -clients 500 -rate 20 $(CHAOS_FLAGS)

# The same load, and 200 thread page GETs a second, all through Caddy
# configured from deploy/Caddyfile (built once from the Go module proxy
# into bin/caddy; CADDY=path uses another), while instance A gets SIGTERM
# with IDEASX_SHUTDOWN_DELAY=5s as in deploy/compose.yaml. Reports every
# request that failed at the proxy, by kind, and what the websocket
# clients that reconnected missed; without the delay, for comparison:
#   make chaos-stop CHAOS_FLAGS='-shutdown-delay 0'
CADDY ?= bin/caddy
chaos-stop: testdeps
	test -x $(CADDY) || GOBIN=$(CURDIR)/bin $(GO) install github.com/caddyserver/caddy/v2/cmd/caddy@v2.11.9
	$(GO) run ./server/live/livebench -chaos sigterm -caddy $(CADDY) -clients 500 -rate 20 $(CHAOS_FLAGS)

# The same load with one more client, on instance A, whose link carries
# 1 KiB/s (about a reply a second) for 20 s, between 10 s without it on
# either side: reports when the server cut it and the others' p99 while
# it was there over their p99 without it. Needs a quiet machine.
chaos-slow: testdeps
	$(GO) run ./server/live/livebench -chaos slow-client -chaos-before 10s -chaos-outage 20s -chaos-after 10s -clients 500 -rate 20 $(CHAOS_FLAGS)

# Thread page latency while websocket clients flood the server, with the
# per-connection limits off and on (issue 11). Needs Postgres.
bench-flood: testdeps
	$(GO) test -run '^$$' -bench ThreadPageUnderWSFlood -benchtime 200x -timeout 30m ./server

fmt:
	gofmt -w -s .

lint:
	@out="$$(gofmt -l .)"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin/ coverage.* *.out
	find . -name '*.test' -type f -delete

docker:
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) --build-arg BUILD_DATE=$(BUILD_DATE) -t $(IMAGE) .
