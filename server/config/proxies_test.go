package config

import (
	"bytes"
	"strings"
	"testing"
)

func TestTrustedProxies(t *testing.T) {
	c, err := Parse("serve", nil, env(map[string]string{"IDEASX_TRUSTED_PROXIES": "10.0.0.0/8, 172.16.0.0/12,127.0.0.1"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.TrustedProxies.String(), "10.0.0.0/8,172.16.0.0/12,127.0.0.1/32"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"IDEASX_TRUSTED_PROXIES": "10.0.0.0/8,proxy.lan"}, []string{"IDEASX_TRUSTED_PROXIES", `"proxy.lan"`}},
		{map[string]string{"IDEASX_TRUSTED_PROXIES": "true"}, []string{"IDEASX_TRUSTED_PROXIES", `"true"`}},
		{map[string]string{"IDEASX_TRUST_PROXY": "yes please"}, []string{"IDEASX_TRUST_PROXY", "IDEASX_TRUSTED_PROXIES"}},
		// Both at once: the old one would silently win over the ranges.
		{map[string]string{"IDEASX_TRUST_PROXY": "true", "IDEASX_TRUSTED_PROXIES": "10.0.0.0/8"}, []string{"IDEASX_TRUST_PROXY", "replaced by IDEASX_TRUSTED_PROXIES"}},
	} {
		_, err := Parse("serve", nil, env(tc.env), &bytes.Buffer{})
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%v: got %v, want an error with %s", tc.env, err, w)
			}
		}
	}
	// The deprecated switch alone still works for this release.
	c, err = Parse("serve", nil, env(map[string]string{"IDEASX_TRUST_PROXY": "true"}), &bytes.Buffer{})
	if err != nil || !c.TrustProxy || len(c.TrustedProxies) != 0 {
		t.Errorf("IDEASX_TRUST_PROXY=true: got %v, %+v", err, c)
	}
}
