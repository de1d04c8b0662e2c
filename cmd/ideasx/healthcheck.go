package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"ideasx/server/config"
)

// healthcheck asks the server on this machine whether it can serve
// (/readyz) and exits 0 if so: the container image has no shell nor HTTP
// client, so Docker's HEALTHCHECK runs the binary itself.
func healthcheck(ctx context.Context, args []string, e env) error {
	cfg, err := config.Parse("healthcheck", args, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	target, err := readyURL(cfg.Addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not ready: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s %s", resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(e.stdout, "ready: %s\n", strings.TrimSpace(string(body)))
	return nil
}

// readyURL is where the server listening on addr answers on this machine:
// an address bound to every interface is reached through the loopback.
func readyURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", config.UsageError{Msg: fmt.Sprintf("IDEASX_ADDR %q: %v", addr, err)}
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz", nil
}
