package main

import (
	"os"
	"strings"
	"testing"
)

// The run measures the shipped Caddyfile: only where it listens and the
// upstreams change, and a Caddyfile that no longer fits is refused rather
// than measured half-rewritten.
func TestCaddyfileForKeepsTheShippedSettings(t *testing.T) {
	shipped, err := os.ReadFile("../../../deploy/Caddyfile")
	if err != nil {
		t.Fatal(err)
	}
	got, err := caddyfileFor(string(shipped), 4242, []string{"127.0.0.1:1001", "127.0.0.1:1002"}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{":4242 {\n\tbind 127.0.0.1", "reverse_proxy 127.0.0.1:1001 127.0.0.1:1002 {", "health_uri /readyz", "lb_try_duration"} {
		if !strings.Contains(got, want) {
			t.Errorf("rewritten Caddyfile lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "app1:8080") || strings.Contains(got, ":80 {") {
		t.Errorf("compose addresses left in:\n%s", got)
	}
	if _, err := caddyfileFor(strings.Replace(string(shipped), "app2:8080", "app2:9090", 1), 4242, nil, false); err == nil {
		t.Error("a Caddyfile with other upstreams was rewritten anyway")
	}
	bare, err := caddyfileFor(string(shipped), 4242, []string{"127.0.0.1:1001"}, true)
	if err != nil || strings.Contains(bare, "lb_try_duration") || !strings.Contains(bare, "health_uri /readyz") {
		t.Errorf("without retries: %v\n%s", err, bare)
	}
}
