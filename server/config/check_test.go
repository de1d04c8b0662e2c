package config

import (
	"io"
	"strings"
	"testing"
)

func TestUnknownVariablesIgnoreTestOnesAndSuggest(t *testing.T) {
	got := UnknownVariables([]string{"IDEASX_DATABSE_URL=postgres://x", "IDEASX_ADDR=:8080", "IDEASX_DATABASE_URL_FILE=/run/s",
		"IDEASX_TEST_DATABASE_URL=postgres://t", "IDEASX_SCREENSHOT_DIR=/tmp", "HOME=/root", "IDEASX_WHATEVER=1"})
	if strings.Join(got, ",") != "IDEASX_DATABSE_URL,IDEASX_WHATEVER" {
		t.Errorf("got %v, want [IDEASX_DATABSE_URL IDEASX_WHATEVER]", got)
	}
	if s := Suggest("IDEASX_DATABSE_URL"); s != "IDEASX_DATABASE_URL" {
		t.Errorf("suggestion: got %q, want IDEASX_DATABASE_URL", s)
	}
	if s := Suggest("IDEASX_WHATEVER"); s != "" {
		t.Errorf("suggestion for a far name: got %q, want none", s)
	}
}

func TestAddrAndBaseURLPathAreBlamedOnTheirVariable(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"IDEASX_ADDR": "garbage"}, "IDEASX_ADDR"},
		{map[string]string{"IDEASX_ADDR": ":99999"}, "IDEASX_ADDR"},
		{map[string]string{"IDEASX_BASE_URL": "https://example.org/ideas"}, "served at the root"},
		{map[string]string{"IDEASX_BASE_URL": "https://example.org/?x=1"}, "IDEASX_BASE_URL"},
	} {
		_, err := Parse("serve", nil, func(k string) string { return tc.env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error naming %s", tc.env, err, tc.want)
		}
	}
	for _, ok := range []map[string]string{{"IDEASX_ADDR": "127.0.0.1:0"}, {"IDEASX_BASE_URL": "https://example.org/"}, {"IDEASX_ADDR": "[::1]:8080"}} {
		if _, err := Parse("serve", nil, func(k string) string { return ok[k] }, io.Discard); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
}

func TestRedactHidesPasswordsOfMalformedURLs(t *testing.T) {
	for _, raw := range []string{"postgres://u:s3cretpw@db:badport/x", "postgres://u:s3cretpw@db:5432/x", "redis://:s3cretpw@[bad"} {
		msg := `parse "` + raw + `": invalid port; ` + raw
		if got := Redact(msg, raw); strings.Contains(got, "s3cretpw") {
			t.Errorf("%s: the password is still in %q", raw, got)
		}
	}
}

func TestRedisWithSQLiteIsRefused(t *testing.T) {
	c := &Config{RedisURL: "redis://127.0.0.1:6379/0"}
	if err := c.CheckSingleStore(); err == nil || !strings.Contains(err.Error(), "IDEASX_DATABASE_URL") {
		t.Errorf("got %v, want a refusal naming IDEASX_DATABASE_URL", err)
	}
	c.DatabaseURL = "postgres://db/x"
	if err := c.CheckSingleStore(); err != nil {
		t.Errorf("Redis with Postgres: %v", err)
	}
}
