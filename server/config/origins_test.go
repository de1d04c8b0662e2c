package config

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestAllowedOriginsAreOriginsOnly(t *testing.T) {
	c, err := Parse("serve", nil, env(map[string]string{
		"IDEASX_ALLOWED_ORIGINS": " HTTPS://Ideas.Example.org:443/ , http://192.168.1.10:8080,,http://[::1]:8080",
	}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://ideas.example.org", "http://192.168.1.10:8080", "http://[::1]:8080"}
	if !slices.Equal(c.AllowedOrigins, want) {
		t.Errorf("got %q, want %q", c.AllowedOrigins, want)
	}
	for _, bad := range []string{"ideas.example.org", "https://ideas.example.org/forum", "ftp://ideas.example.org",
		"https://ideas.example.org?x=1", "https://user@ideas.example.org", "http://192.168.1.10:port", "*"} {
		_, err := Parse("serve", nil, env(map[string]string{"IDEASX_ALLOWED_ORIGINS": "https://ok.example," + bad}), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "IDEASX_ALLOWED_ORIGINS") || !strings.Contains(err.Error(), "no path") {
			t.Errorf("%q: got error %v, want one naming IDEASX_ALLOWED_ORIGINS and what an origin is", bad, err)
		}
	}
}

func TestBaseURLDefaultedOnlyWhenGuessed(t *testing.T) {
	for _, tc := range []struct {
		base string
		want bool
	}{{"", true}, {"http://localhost:8080", false}, {"https://ideas.example.org", false}} {
		c, err := Parse("serve", nil, env(map[string]string{"IDEASX_BASE_URL": tc.base}), &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		if c.BaseURLDefaulted != tc.want {
			t.Errorf("base URL %q: got defaulted %v, want %v", tc.base, c.BaseURLDefaulted, tc.want)
		}
	}
}
