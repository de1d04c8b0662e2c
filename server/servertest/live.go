package servertest

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"ideasx/server/live/liveclient"
	"ideasx/store/storetest"
)

// WSURL is the app's websocket endpoint.
func (a *App) WSURL() string { return "ws" + strings.TrimPrefix(a.URL, "http") + "/ws" }

// BrowserHeader is what a browser on the site would send with an upgrade:
// the session cookie and the site's own Origin.
func (c *Client) BrowserHeader() http.Header {
	h := http.Header{"Origin": {c.app.BaseURL}}
	u, _ := url.Parse(c.app.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	return h
}

// Live connects a live client to the given apps (the first one first),
// reconnecting to the next one when a connection drops.
func Live(t testing.TB, h http.Header, apps ...*App) *liveclient.Client {
	t.Helper()
	var urls []string
	for _, a := range apps {
		urls = append(urls, a.WSURL())
	}
	c, resp, err := liveclient.Dial(context.Background(), liveclient.Dialer{URLs: urls, Header: h, Reconnect: true})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("live dial: %v (status %d)", err, status)
	}
	t.Cleanup(c.Close)
	return c
}

// RedisURL is the test Redis.
func RedisURL() string {
	if u := os.Getenv("IDEASX_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// Redis returns a client of the test Redis; without one the test is
// skipped, or failed under CI.
func Redis(t testing.TB, rawURL string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = time.Second, time.Second, time.Second
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		storetest.Unavailable(t, "Redis at "+rawURL, err)
	}
	return rdb
}
