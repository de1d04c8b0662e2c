package config

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Parse("serve", nil, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || c.DatabaseURL != "" || c.BaseURL != "http://localhost:8080" || c.MaxUploadMB != 25 ||
		c.WSMessageRate != 5 || c.WSReplayPerMinute != 5000 || c.ShutdownDelay != 0 {
		t.Errorf("got %+v", c)
	}
}

func TestFlagBeatsEnvironment(t *testing.T) {
	c, err := Parse("serve", []string{"--addr", ":9000"}, env(map[string]string{"IDEASX_ADDR": ":7000", "IDEASX_MAX_UPLOAD_MB": "10"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9000" || c.MaxUploadMB != 10 || c.BaseURL != "http://localhost:9000" {
		t.Errorf("got addr %s, upload %d, base %s", c.Addr, c.MaxUploadMB, c.BaseURL)
	}
}

func TestInvalidValuesAreNamed(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"IDEASX_MAX_UPLOAD_MB": "lots"}, "IDEASX_MAX_UPLOAD_MB"},
		{map[string]string{"IDEASX_DATABASE_URL": "mysql://x"}, "IDEASX_DATABASE_URL"},
		{map[string]string{"IDEASX_BASE_URL": "example.org"}, "IDEASX_BASE_URL"},
		{map[string]string{"IDEASX_SESSION_TTL": "-1h"}, "IDEASX_SESSION_TTL"},
		{map[string]string{"IDEASX_WS_MESSAGE_RATE": "NaN"}, "IDEASX_WS_MESSAGE_RATE"},
		{map[string]string{"IDEASX_WS_MESSAGE_RATE": "-1"}, "IDEASX_WS_MESSAGE_RATE"},
		{map[string]string{"IDEASX_WS_REPLAY_PER_MINUTE": "1e3"}, "IDEASX_WS_REPLAY_PER_MINUTE"},
		{map[string]string{"IDEASX_SHUTDOWN_DELAY": "-5s"}, "IDEASX_SHUTDOWN_DELAY"},
		{map[string]string{"IDEASX_SHUTDOWN_DELAY": "8"}, "IDEASX_SHUTDOWN_DELAY"},
	} {
		_, err := Parse("serve", nil, env(tc.env), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error naming %s", tc.env, err, tc.want)
		}
	}
}

func TestHelpListsEveryVariableWithDefault(t *testing.T) {
	var out bytes.Buffer
	_, err := Parse("serve", []string{"--help"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
	for _, o := range options {
		if !strings.Contains(out.String(), o.env) || !strings.Contains(out.String(), "--"+o.flag) {
			t.Errorf("help lacks %s / --%s", o.env, o.flag)
		}
	}
	if !strings.Contains(out.String(), "default :8080") {
		t.Errorf("help lacks the default address:\n%s", out.String())
	}
}

func TestSummaryMasksSecrets(t *testing.T) {
	c, err := Parse("serve", nil, env(map[string]string{"IDEASX_DATABASE_URL": "postgres://u:hunter2@db/x"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range c.Summary() {
		if s, ok := v.(string); ok && strings.Contains(s, "hunter2") {
			t.Errorf("summary leaks the password: %s", s)
		}
	}
}
