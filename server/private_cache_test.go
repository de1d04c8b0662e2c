package server

import "testing"

func TestPrivateCacheControl(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                                    "private",
		"public, max-age=3600":                "private, max-age=3600",
		"Public, max-age=31536000, immutable": "private, max-age=31536000, immutable",
		"public, s-maxage=600, max-age=60":    "private, max-age=60",
		"max-age=300":                         "private, max-age=300",
		"no-cache":                            "private, no-cache",
		"private, no-store":                   "private, no-store",
		"no-store":                            "no-store",
		"private":                             "private",
		"private, max-age=60":                 "private, max-age=60",
	} {
		if got := privateCacheControl(in); got != want {
			t.Errorf("privateCacheControl(%q): got %q, want %q", in, got, want)
		}
	}
}
