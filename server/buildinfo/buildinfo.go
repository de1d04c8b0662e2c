// Package buildinfo says which build of ideasx is running: `make build` and
// the Dockerfile stamp it with -ldflags -X; a plain `go build` falls back to
// what the Go toolchain recorded from git.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"sync"
)

// Set by the linker, e.g.
//
//	-ldflags "-X ideasx/server/buildinfo.version=v1.2.0 -X ideasx/server/buildinfo.commit=abc123 -X ideasx/server/buildinfo.date=2026-12-06T20:00:00Z"
var version, commit, date string

// Info describes the running binary.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
}

// Get returns the stamped values, completed from the toolchain's record of
// git for whatever the linker did not set.
var Get = sync.OnceValue(func() Info {
	bi, ok := debug.ReadBuildInfo()
	var rec *debug.BuildInfo
	if ok {
		rec = bi
	}
	return resolve(version, commit, date, rec)
})

func resolve(version, commit, date string, bi *debug.BuildInfo) Info {
	in := Info{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version()}
	var revision, modified, when string
	if bi != nil {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			case "vcs.time":
				when = s.Value
			}
		}
	}
	if in.Commit == "" {
		in.Commit = revision
	}
	if in.Date == "" {
		in.Date = when
	}
	if in.Version == "" && revision != "" {
		in.Version = revision[:min(12, len(revision))]
		if modified == "true" {
			in.Version += "-dirty"
		}
	}
	if in.Version == "" {
		in.Version = "dev"
	}
	if in.Commit == "" {
		in.Commit = "unknown"
	}
	if in.Date == "" {
		in.Date = "unknown"
	}
	return in
}
