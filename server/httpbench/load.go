package main

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// result is one scenario's figures; latencies in milliseconds.
type result struct {
	Name      string  `json:"name"`
	Reader    string  `json:"reader"`
	Path      string  `json:"path"`
	Bytes     int     `json:"bytes"`
	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	ReqPerSec float64 `json:"req_per_s"`
	P50       float64 `json:"p50_ms"`
	P90       float64 `json:"p90_ms"`
	P99       float64 `json:"p99_ms"`
	Max       float64 `json:"max_ms,omitempty"`
}

// runGo loads url with cfg.connections keep-alive connections, each sending
// its next request as soon as the previous answer is read (as wrk does),
// first for the warm-up, then for the measured duration.
func runGo(ctx context.Context, cfg config, url, cookie string) (result, error) {
	tr := &http.Transport{
		MaxConnsPerHost:     cfg.connections,
		MaxIdleConnsPerHost: cfg.connections,
		// No Accept-Encoding, as wrk sends none: the same bytes either way.
		DisableCompression: true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if cfg.warmup > 0 {
		if _, _, _, err := loadFor(ctx, client, cfg.connections, cfg.warmup, url, cookie); err != nil {
			return result{}, err
		}
	}
	lat, errs, elapsed, err := loadFor(ctx, client, cfg.connections, cfg.duration, url, cookie)
	if err != nil {
		return result{}, err
	}
	slices.Sort(lat)
	r := result{Requests: int64(len(lat)) + errs, Errors: errs, ReqPerSec: float64(len(lat)) / elapsed.Seconds()}
	if len(lat) > 0 {
		r.P50, r.P90, r.P99, r.Max = quantile(lat, 0.50), quantile(lat, 0.90), quantile(lat, 0.99), ms(lat[len(lat)-1])
	}
	return r, nil
}

// loadFor returns the latencies of the 200 answers, the count of the
// others (and of failed requests), and how long it ran.
func loadFor(ctx context.Context, client *http.Client, conns int, d time.Duration, url, cookie string) ([]time.Duration, int64, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs int64
		wg   sync.WaitGroup
	)
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1024)
			var bad int64
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						bad++
					}
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch {
				case ctx.Err() != nil: // cut by the end of the run: not counted
				case err != nil || resp.StatusCode != http.StatusOK:
					bad++
				default:
					lat = append(lat, time.Since(t0))
				}
			}
			mu.Lock()
			all = append(all, lat...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := context.Cause(ctx); err != nil && err != context.DeadlineExceeded {
		return nil, 0, 0, err
	}
	return all, errs, elapsed, nil
}

func quantile(sorted []time.Duration, q float64) float64 {
	return ms(sorted[min(len(sorted)-1, int(q*float64(len(sorted))))])
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
