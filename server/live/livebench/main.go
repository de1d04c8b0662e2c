// Command livebench measures live delivery end to end (issue 5, item 8):
// it builds the real binary, starts two `ideasx serve` instances on one
// fresh Postgres schema and one Redis channel, opens N websocket clients
// spread over both, all following one thread, posts replies through the
// API at a fixed rate and reports what reached whom and how fast, with the
// servers' CPU and memory. With -idle it starts one instance and measures
// the memory of N idle connections.
//
// It is a measurement, not a test: it never fails on a missed target, it
// says so. Run it from the module root, e.g. `make bench-live`, or
//
//	go run ./server/live/livebench -clients 5000 -rate 20 -duration 10s
//	go run ./server/live/livebench -idle -clients 10000
//
// The load generator shares the machine with the instances, Postgres and
// Redis, and so does anything else running: the report says how much CPU
// each took and how much went elsewhere, and -quiet waits for an idle
// machine before posting. CPU per delivery is the figure least moved by
// such neighbours. To see where an instance spends its time, -server-pprof
// serves net/http/pprof from this run's binary only (a build overlay, the
// server's code is untouched) and -hold keeps everything up afterwards.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	_ "net/http/pprof" // opt-in with -pprof: profiles the load generator only
	"os"
	"os/signal"
	"syscall"
	"time"
)

type config struct {
	clients  int
	rate     float64
	duration time.Duration
	drain    time.Duration
	settle   time.Duration
	idle     bool

	// chaos names the fault injected while posting ("redis"); the posting
	// then lasts chaosBefore + chaosOutage + chaosAfter.
	chaos                                string
	chaosBefore, chaosOutage, chaosAfter time.Duration
	toxiproxy                            string
	pgStop                               string
	// With -chaos sigterm: Caddy, the instances' IDEASX_SHUTDOWN_DELAY,
	// and the page GETs sent through Caddy meanwhile.
	caddy         string
	shutdownDelay time.Duration
	pageRate      float64
	pageWorkers   int
	caddyNoRetry  bool

	dbURL, redisURL string
	dialers         int
	logLevel        string
	keep            bool
	pprof           string
	serverPprof     bool
	hold            time.Duration
	quiet           time.Duration
	bin             string

	// target is the system measured: ideasx, centrifugo, or both taking
	// turns for rounds rounds (issue 17, make bench-live-compare).
	target       string
	rounds       int
	centrifugo   string
	messageBytes int
	// cfHistory, when above 0, gives Centrifugo's channel a history of
	// that many publications with recovery forced: a client that comes
	// back is sent what it missed, as ideasx's are.
	cfHistory int
	compare   bool // a round of -target both: the report comes at the end
}

func main() {
	var c config
	flag.IntVar(&c.clients, "clients", 1000, "websocket clients, spread evenly over the instances")
	flag.Float64Var(&c.rate, "rate", 20, "replies posted per second")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long to post")
	flag.DurationVar(&c.drain, "drain", 10*time.Second, "after the last post, how long to wait for deliveries still missing")
	flag.DurationVar(&c.settle, "settle", 5*time.Second, "with -idle, how long to let the server settle before measuring")
	flag.BoolVar(&c.idle, "idle", false, "one instance, N idle subscribed connections: report RSS per connection")
	flag.StringVar(&c.dbURL, "db", envOr("IDEASX_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ideasx_test?sslmode=disable"),
		"Postgres database in which a throw-away schema is made")
	flag.StringVar(&c.redisURL, "redis", envOr("IDEASX_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"), "Redis for the broker (a channel of its own is used)")
	flag.IntVar(&c.dialers, "dialers", 64, "connections being opened at the same time")
	flag.StringVar(&c.logLevel, "server-log-level", "info", "IDEASX_LOG_LEVEL of the instances")
	flag.BoolVar(&c.keep, "keep", false, "keep the schema and the temporary directory (server logs) afterwards")
	flag.StringVar(&c.pprof, "pprof", "", "serve net/http/pprof of the load generator on this address (e.g. 127.0.0.1:6060)")
	flag.BoolVar(&c.serverPprof, "server-pprof", false, "build the instances with net/http/pprof (through a build overlay, for this run only; not with -bin) on ports of their own, printed at start")
	flag.DurationVar(&c.hold, "hold", 0, "after the report, keep the instances (and, with -idle, the connections) up this long, e.g. to profile them")
	flag.DurationVar(&c.quiet, "quiet", 0, "before posting, wait up to this long for a second in which the machine is idle (other work running meanwhile distorts the figures)")
	flag.StringVar(&c.bin, "bin", "", "use this ideasx binary instead of building ./cmd/ideasx (e.g. to compare two builds)")
	flag.StringVar(&c.chaos, "chaos", "", `inject a fault while posting: "redis" kills a private redis-server of this run and starts it again (make chaos); "redis-net" delays instance A's link to it by 200 ms, then cuts it, through Toxiproxy (make chaos-net); "slow-client" adds a client whose link carries 1 KiB/s for -chaos-outage`)
	flag.StringVar(&c.pgStop, "pg-stop", "immediate", `with -chaos postgres (a private Postgres cluster of this run stopped for -chaos-outage, then started again; make chaos-pg), how it is stopped: "immediate" (as a crash: sessions cut, WAL recovery at the restart) or "fast" (a planned restart)`)
	flag.StringVar(&c.toxiproxy, "toxiproxy", "toxiproxy-server", "with -chaos redis-net, the Toxiproxy v2 server binary")
	flag.StringVar(&c.caddy, "caddy", "caddy", `with -chaos sigterm (Caddy from deploy/Caddyfile in front of both instances, every request through it, instance A sent SIGTERM -chaos-before into the posting; make chaos-stop), the Caddy v2 binary`)
	flag.DurationVar(&c.shutdownDelay, "shutdown-delay", 5*time.Second, "with -chaos sigterm, the instances' IDEASX_SHUTDOWN_DELAY (5s as in deploy/compose.yaml; 0 to see the stop without it)")
	flag.Float64Var(&c.pageRate, "page-rate", 200, "with -chaos sigterm, thread page GETs a second through Caddy while posting")
	flag.IntVar(&c.pageWorkers, "page-workers", 8, "with -chaos sigterm, goroutines sending the page GETs")
	flag.BoolVar(&c.caddyNoRetry, "caddy-no-retry", false, "with -chaos sigterm, drop lb_try_duration from the Caddyfile, as a configuration that does not set it (Caddy then retries nothing)")
	flag.DurationVar(&c.chaosBefore, "chaos-before", 5*time.Second, "with -chaos, how long to post before the fault")
	flag.DurationVar(&c.chaosOutage, "chaos-outage", 10*time.Second, "with -chaos, how long the fault lasts")
	flag.DurationVar(&c.chaosAfter, "chaos-after", 10*time.Second, "with -chaos, how long to post after it ends")
	flag.StringVar(&c.target, "target", targetIdeasx, `the system measured: "ideasx", "centrifugo" (Centrifugo nodes on a private Redis, same clients, rate and message size), or "both", taking turns for -rounds rounds and compared side by side (make bench-live-compare)`)
	flag.IntVar(&c.rounds, "rounds", 3, "with -target both, how many times each system is measured, alternately")
	flag.StringVar(&c.centrifugo, "centrifugo", "bin/centrifugo/centrifugo", "with -target centrifugo or both, the Centrifugo v6 binary")
	flag.IntVar(&c.messageBytes, "message-bytes", 0, "with -target centrifugo, the frame length a client receives per message (0: as ideasx's post.created measured in the round before, else 1100)")
	flag.IntVar(&c.cfHistory, "centrifugo-history", 0, "with -target centrifugo or both, keep this many publications of the channel (history_size, history_ttl 300s, force_recovery): the guarantee ideasx gives, a client that reconnects is sent what it missed (0: no history, as Centrifugo's default)")
	flag.Parse()
	switch c.target {
	case targetIdeasx, targetCentrifugo, targetBoth:
	default:
		fmt.Fprintf(os.Stderr, "livebench: -target %q: ideasx, centrifugo or both\n", c.target)
		os.Exit(2)
	}
	if c.target != targetIdeasx && (c.idle || c.chaos != "") {
		fmt.Fprintln(os.Stderr, "livebench: -target centrifugo and both measure load only (no -idle, no -chaos)")
		os.Exit(2)
	}
	switch c.chaos {
	case "":
	case "redis", "redis-net", "slow-client", "postgres", "sigterm":
		if c.idle {
			fmt.Fprintln(os.Stderr, "livebench: -chaos and -idle do not go together")
			os.Exit(2)
		}
		c.duration = c.chaosBefore + c.chaosOutage + c.chaosAfter
		if c.chaos == "redis-net" {
			c.duration += c.chaosOutage // delayed, then cut
		}
		if _, ok := stopSignals[c.pgStop]; !ok {
			fmt.Fprintf(os.Stderr, "livebench: -pg-stop %q: immediate or fast\n", c.pgStop)
			os.Exit(2)
		}
	default:
		fmt.Fprintf(os.Stderr, "livebench: -chaos %q: the faults known are redis, redis-net, slow-client, postgres and sigterm\n", c.chaos)
		os.Exit(2)
	}
	if c.clients < 1 || c.rate <= 0 || c.duration <= 0 {
		fmt.Fprintln(os.Stderr, "livebench: -clients, -rate and -duration must be positive")
		os.Exit(2)
	}

	raiseFileLimit()
	if c.pprof != "" {
		go func() { fmt.Fprintln(os.Stderr, "livebench: pprof:", http.ListenAndServe(c.pprof, nil)) }()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if c.target == targetBoth {
		err := runCompare(ctx, c)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "livebench:", err)
			os.Exit(1)
		}
		return
	}
	b := &bench{cfg: c, base: time.Now()}
	err := b.run(ctx)
	if err == nil && c.hold > 0 {
		logf("holding for %s (Ctrl-C to end)", c.hold)
		_ = sleep(ctx, c.hold)
	}
	// A second Ctrl-C during the clean-up ends the process at once; the
	// instances die with it (Pdeathsig).
	stop()
	b.cleanup()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			err = errors.New("interrupted")
		}
		fmt.Fprintln(os.Stderr, "livebench:", err)
		os.Exit(1)
	}
}

// raiseFileLimit lifts the soft limit on open files to the hard one; the
// instances inherit it.
func raiseFileLimit() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		fmt.Fprintln(os.Stderr, "livebench: raise open-files limit:", err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "livebench: "+format+"\n", args...)
}
