// Command httpbench measures the pages of issue 17: it builds the real
// binary, makes a fresh private database (on the machine's Postgres, or
// SQLite in a temporary directory), seeds a thread of 50 posts and a
// library of 1,000 documents through the store package, starts one
// `ideasx serve` and loads each page in turn for a fixed time with N
// keep-alive connections, then reports requests a second and latency
// percentiles, as a table and a JSON line. The database is dropped at the
// end.
//
// It is a measurement, not a test: it never fails on a missed target. Each
// scenario is first checked once (status 200 and the content expected, e.g.
// the thread's 50th post) so that an error page is never what is measured.
// Run it from the module root, e.g. `make bench-http`, or
//
//	go run ./server/httpbench -duration 10s -connections 32
//	go run ./server/httpbench -engine sqlite -only 'thread'
//	go run ./server/httpbench -wrk      (wrk -t2 as the load generator, when on PATH)
//
// The load generator shares the machine with the server and its database:
// the report gives the machine's load average before the run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"
)

type config struct {
	duration    time.Duration
	warmup      time.Duration
	connections int
	engine      string
	only        *regexp.Regexp
	wrk         bool
	wrkThreads  int
	adminURL    string
	bin         string
	keep        bool
	logLevel    string
}

func main() {
	var c config
	var only string
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long each scenario is loaded")
	flag.DurationVar(&c.warmup, "warmup", 2*time.Second, "load before each measurement, not counted")
	flag.IntVar(&c.connections, "connections", 32, "keep-alive connections sending requests, each one at a time (wrk -c)")
	flag.StringVar(&c.engine, "engine", "postgres", "database of the server: postgres (a fresh database on -db, dropped at the end) or sqlite")
	flag.StringVar(&only, "only", "", "run only the scenarios whose name matches this regular expression")
	flag.BoolVar(&c.wrk, "wrk", false, "load with wrk (must be on PATH) instead of the Go load generator")
	flag.IntVar(&c.wrkThreads, "wrk-threads", 2, "with -wrk, its threads (wrk -t)")
	flag.StringVar(&c.adminURL, "db", adminURL(envOr("IDEASX_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ideasx_test?sslmode=disable")),
		"Postgres server URL on which the run's database is created and dropped")
	flag.StringVar(&c.bin, "bin", "", "use this ideasx binary instead of building ./cmd/ideasx (e.g. to compare two builds)")
	flag.BoolVar(&c.keep, "keep", false, "keep the database and the temporary directory (server log) afterwards")
	flag.StringVar(&c.logLevel, "server-log-level", "warn", "IDEASX_LOG_LEVEL of the server")
	flag.Parse()
	if c.duration <= 0 || c.connections < 1 || c.warmup < 0 {
		fail(2, "-duration and -connections must be positive")
	}
	if c.engine != "postgres" && c.engine != "sqlite" {
		fail(2, "-engine %q: postgres or sqlite", c.engine)
	}
	var err error
	if c.only, err = regexp.Compile(only); err != nil {
		fail(2, "-only: %v", err)
	}
	if c.wrk {
		if _, err := lookWrk(); err != nil {
			fail(2, "-wrk: %v", err)
		}
	}
	raiseFileLimit()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	b := &bench{cfg: c}
	err = b.run(ctx)
	stop()
	b.cleanup()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			err = errors.New("interrupted")
		}
		fail(1, "%v", err)
	}
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "httpbench: "+format+"\n", args...)
	os.Exit(code)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "httpbench: "+format+"\n", args...)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// raiseFileLimit lifts the soft limit on open files to the hard one, for
// runs with many connections.
func raiseFileLimit() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return
	}
	l.Cur = l.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
}
