// Command vulndb turns the OSV files of the golang.org/x/vulndb module
// (data/osv/GO-*.json) into a Go vulnerability database in the v1 layout that
// `govulncheck -db file://DIR` reads: index/db.json, index/modules.json and
// ID/<id>.json. It lets `make vulncheck` run without reaching vuln.go.dev
// (see scripts/vulncheck.sh).
//
// It reads on stdin what `go mod download -json golang.org/x/vulndb@V`
// printed, builds CACHE/vulndb-<version> unless it exists, and prints that
// directory. When the download failed (offline), it prints the database built
// last, and says on stderr how old it is.
//
// x/vulndb's own generator (cmd/gendb) needs the repository's git history for
// the entries' dates, which a module zip does not carry: every entry there
// says modified 0001-01-01. Entries without a date take the commit time of the
// module version, so that the database tells how recent it is.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	cache := flag.String("cache", "", "directory that keeps the built database")
	flag.Parse()
	if *cache == "" {
		fmt.Fprintln(os.Stderr, "usage: go mod download -json golang.org/x/vulndb@latest | vulndb -cache DIR")
		os.Exit(2)
	}
	dir, err := run(os.Stdin, os.Stderr, *cache)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vulndb: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(dir)
}

// download is the part of `go mod download -json` output used here.
type download struct {
	Version string
	Info    string // file holding {"Version", "Time"}
	Dir     string // the extracted module
	Error   string
}

// currentFile names, inside the cache, the version whose database is used
// when the module cannot be downloaded.
const currentFile = "current"

func run(stdin io.Reader, stderr io.Writer, cache string) (string, error) {
	var d download
	in, err := io.ReadAll(stdin)
	if err != nil {
		return "", err
	}
	if len(bytes.TrimSpace(in)) > 0 {
		if err := json.Unmarshal(in, &d); err != nil {
			return "", fmt.Errorf("reading go mod download output: %w", err)
		}
	}
	if d.Dir == "" || d.Version == "" {
		return fallback(stderr, cache, d.Error)
	}
	db := filepath.Join(cache, "vulndb-"+d.Version)
	if _, err := os.Stat(filepath.Join(db, "index", "db.json")); err != nil {
		modified, err := commitTime(d.Info)
		if err != nil {
			return "", err
		}
		if err := build(filepath.Join(d.Dir, "data", "osv"), db, modified); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(cache, currentFile), []byte(d.Version+"\n"), 0o644); err != nil {
		return "", err
	}
	return db, prune(cache, db)
}

// fallback returns the database built last: a scan against a database a few
// days old is still worth running offline, as long as it says so.
func fallback(stderr io.Writer, cache, why string) (string, error) {
	if why == "" {
		why = "no module directory in go mod download's output"
	}
	b, err := os.ReadFile(filepath.Join(cache, currentFile))
	if err != nil {
		return "", fmt.Errorf("x/vulndb could not be downloaded (%s) and no database was built before", why)
	}
	db := filepath.Join(cache, "vulndb-"+strings.TrimSpace(string(b)))
	meta, err := os.ReadFile(filepath.Join(db, "index", "db.json"))
	if err != nil {
		return "", fmt.Errorf("x/vulndb could not be downloaded (%s) and the last database is unreadable: %w", why, err)
	}
	var m struct{ Modified time.Time }
	if err := json.Unmarshal(meta, &m); err != nil {
		return "", fmt.Errorf("%s: %w", db, err)
	}
	fmt.Fprintf(stderr, "vulndb: WARNING: x/vulndb could not be downloaded (%s); using the database of %s\n",
		why, m.Modified.Format("2006-01-02"))
	return db, nil
}

func commitTime(info string) (time.Time, error) {
	var v struct{ Time time.Time }
	b, err := os.ReadFile(info)
	if err != nil {
		return time.Time{}, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", info, err)
	}
	if v.Time.IsZero() {
		return time.Time{}, fmt.Errorf("%s: no time", info)
	}
	return v.Time.UTC(), nil
}

// prune removes the databases of older versions (about 20 MB each).
func prune(cache, keep string) error {
	old, err := filepath.Glob(filepath.Join(cache, "vulndb-*"))
	if err != nil {
		return err
	}
	for _, dir := range old {
		if dir != keep {
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
		}
	}
	return nil
}

// entry holds the fields of an OSV entry that the indexes need.
type entry struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	// No "fixed": it is an optional shortcut. Without it govulncheck reads
	// every entry of a module and checks the affected ranges itself, which
	// costs nothing on a local disk and cannot get a range wrong.
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

// build writes the database into a temporary directory beside out and renames
// it into place, so that an interrupted run never leaves a partial database
// that would look complete (and report fewer vulnerabilities).
func build(osvDir, out string, modified time.Time) error {
	names, err := filepath.Glob(filepath.Join(osvDir, "*.json"))
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("no OSV files in %s", osvDir)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".building-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, dir := range []string{"index", "ID"} {
		if err := os.Mkdir(filepath.Join(tmp, dir), 0o755); err != nil {
			return err
		}
	}

	modules := map[string]*module{}
	var latest time.Time
	for _, name := range names {
		e, raw, err := readEntry(name, modified)
		if err != nil {
			return err
		}
		if e.ID+".json" != filepath.Base(name) {
			return fmt.Errorf("%s: holds entry %q", name, e.ID)
		}
		if e.Modified.After(latest) {
			latest = e.Modified
		}
		seen := map[string]bool{}
		for _, a := range e.Affected {
			path := a.Package.Name
			if path == "" || seen[path] {
				continue
			}
			seen[path] = true
			m := modules[path]
			if m == nil {
				m = &module{Path: path}
				modules[path] = m
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: e.Modified})
		}
		if err := os.WriteFile(filepath.Join(tmp, "ID", e.ID+".json"), raw, 0o644); err != nil {
			return err
		}
	}

	index := make([]*module, 0, len(modules))
	for _, m := range modules {
		slices.SortFunc(m.Vulns, func(a, b moduleVuln) int { return strings.Compare(a.ID, b.ID) })
		index = append(index, m)
	}
	slices.SortFunc(index, func(a, b *module) int { return strings.Compare(a.Path, b.Path) })
	if err := writeJSON(filepath.Join(tmp, "index", "modules.json"), index); err != nil {
		return err
	}
	meta := struct {
		Modified time.Time `json:"modified"`
	}{latest}
	if err := writeJSON(filepath.Join(tmp, "index", "db.json"), meta); err != nil {
		return err
	}

	if err := os.RemoveAll(out); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// readEntry decodes an OSV file and returns it re-encoded with a modified
// time when it had none; every other field is kept as it was.
func readEntry(name string, modified time.Time) (entry, []byte, error) {
	var e entry
	b, err := os.ReadFile(name)
	if err != nil {
		return e, nil, err
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return e, nil, fmt.Errorf("%s: %w", name, err)
	}
	if e.ID == "" {
		return e, nil, fmt.Errorf("%s: entry has no id", name)
	}
	if !e.Modified.IsZero() {
		return e, b, nil
	}
	e.Modified = modified
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return e, nil, fmt.Errorf("%s: %w", name, err)
	}
	if fields["modified"], err = json.Marshal(modified); err != nil {
		return e, nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fields); err != nil {
		return e, nil, err
	}
	return e, buf.Bytes(), nil
}

func writeJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}
