package main

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func lookWrk() (string, error) {
	p, err := exec.LookPath("wrk")
	if err != nil {
		return "", fmt.Errorf("wrk is not on PATH (e.g. apt-get install wrk), or leave out -wrk for the Go load generator")
	}
	return p, nil
}

// runWrk loads url with wrk --latency and reads its report.
func runWrk(ctx context.Context, cfg config, url, cookie string) (result, error) {
	threads := min(cfg.wrkThreads, cfg.connections)
	run := func(d time.Duration) (string, error) {
		args := []string{"-t" + strconv.Itoa(threads), "-c" + strconv.Itoa(cfg.connections),
			"-d" + strconv.Itoa(max(1, int(d.Round(time.Second).Seconds()))) + "s", "--latency",
			// wrk's default of 2 s counts slower answers as socket timeouts
			// and leaves them out of the percentiles; on a busy machine the
			// thread page takes longer than that.
			"--timeout", "30s"}
		if cookie != "" {
			args = append(args, "-H", "Cookie: "+cookie)
		}
		out, err := exec.CommandContext(ctx, "wrk", append(args, url)...).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("wrk: %v\n%s", err, out)
		}
		return string(out), nil
	}
	if cfg.warmup > 0 {
		if _, err := run(cfg.warmup); err != nil {
			return result{}, err
		}
	}
	out, err := run(cfg.duration)
	if err != nil {
		return result{}, err
	}
	return parseWrk(out)
}

var (
	wrkPercentile = regexp.MustCompile(`(?m)^\s+(50|90|99)%\s+(\S+)`)
	wrkLatency    = regexp.MustCompile(`(?m)^\s+Latency\s+\S+\s+\S+\s+(\S+)`)
	wrkRequests   = regexp.MustCompile(`(?m)^\s+(\d+) requests in`)
	wrkRate       = regexp.MustCompile(`(?m)^Requests/sec:\s+([\d.]+)`)
	wrkNon2xx     = regexp.MustCompile(`(?m)Non-2xx or 3xx responses:\s+(\d+)`)
	wrkSocket     = regexp.MustCompile(`(?m)Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func parseWrk(out string) (result, error) {
	var r result
	m := wrkRate.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("wrk: no Requests/sec in its report:\n%s", out)
	}
	r.ReqPerSec, _ = strconv.ParseFloat(m[1], 64)
	if m := wrkRequests.FindStringSubmatch(out); m != nil {
		r.Requests, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		r.Errors += n
	}
	if m := wrkSocket.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.ParseInt(s, 10, 64)
			r.Errors += n
		}
	}
	for _, m := range wrkPercentile.FindAllStringSubmatch(out, -1) {
		v, err := wrkDuration(m[2])
		if err != nil {
			return r, err
		}
		switch m[1] {
		case "50":
			r.P50 = v
		case "90":
			r.P90 = v
		case "99":
			r.P99 = v
		}
	}
	if m := wrkLatency.FindStringSubmatch(out); m != nil {
		r.Max, _ = wrkDuration(m[1])
	}
	return r, nil
}

// wrkDuration reads wrk's "812.00us", "9.80ms", "1.02s" or "1.50m" in ms.
func wrkDuration(s string) (float64, error) {
	for _, u := range []struct {
		suffix string
		ms     float64
	}{{"us", 0.001}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, fmt.Errorf("wrk duration %q: %w", s, err)
			}
			return f * u.ms, nil
		}
	}
	return 0, fmt.Errorf("wrk duration %q: unknown unit", s)
}
