package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestResolve(t *testing.T) {
	vcs := &debug.BuildInfo{Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "c86714c1a2b3d4e5f60718293a4b5c6d7e8f9012"},
		{Key: "vcs.time", Value: "2026-12-06T20:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	for _, tc := range []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  Info
	}{
		{"stamped wins", "v1.2.0", "abc123", "2026-01-02T03:04:05Z", vcs,
			Info{Version: "v1.2.0", Commit: "abc123", Date: "2026-01-02T03:04:05Z"}},
		{"from git record", "", "", "", vcs,
			Info{Version: "c86714c1a2b3-dirty", Commit: "c86714c1a2b3d4e5f60718293a4b5c6d7e8f9012", Date: "2026-12-06T20:00:00Z"}},
		{"nothing known", "", "", "", nil, Info{Version: "dev", Commit: "unknown", Date: "unknown"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.GoVersion = runtime.Version()
			if got := resolve(tc.version, tc.commit, tc.date, tc.bi); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
