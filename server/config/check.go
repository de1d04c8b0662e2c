package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// UsageError is a command line that cannot be run as written (an unknown
// flag, a missing argument). Its message is one line that ends by saying
// where the help is.
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

// parseFlags reads the command line. The help is printed when asked for;
// a wrong flag is reported in one line rather than with the whole help,
// which would bury it.
func (p *Parser) parseFlags(args []string) error {
	p.fs.SetOutput(io.Discard)
	err := p.fs.Parse(args)
	p.fs.SetOutput(p.out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		p.usage()
		return err
	case err != nil:
		return UsageError{Msg: fmt.Sprintf("%v (see ideasx %s --help)", err, p.name)}
	case p.fs.NArg() > 0:
		return UsageError{Msg: fmt.Sprintf("unexpected argument %q (see ideasx %s --help)", p.fs.Arg(0), p.name)}
	}
	return nil
}

// checkAddr runs before the base URL is guessed from the port, so that a
// wrong address is blamed on IDEASX_ADDR rather than on IDEASX_BASE_URL.
func (c *Config) checkAddr() error {
	_, port, err := net.SplitHostPort(c.Addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		return fmt.Errorf("IDEASX_ADDR (--addr): %q must be [host]:port, e.g. :8080 or 127.0.0.1:8080", c.Addr)
	}
	return nil
}

// checkBaseURLPath refuses a base URL below the root of its host: every
// link, cookie and asset URL of the site starts at "/", so a site behind
// https://example.org/ideas/ would half work.
func (c *Config) checkBaseURLPath() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return nil // finish reported it
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("IDEASX_BASE_URL (--base-url): %q has a path; ideasx must be served at the root of a host "+
			"(e.g. https://ideas.example.org), not under a path such as %s", c.BaseURL, u.Path)
	}
	return nil
}

// testOnly are variables of the test suite, not of the server.
func testOnly(name string) bool {
	return strings.HasPrefix(name, "IDEASX_TEST_") || name == "IDEASX_SCREENSHOT_DIR"
}

// UnknownVariables lists the IDEASX_* variables of environ (KEY=VALUE
// entries, as os.Environ gives them) that no setting reads: most are typos,
// and a typo in IDEASX_DATABASE_URL silently means SQLite.
func UnknownVariables(environ []string) []string {
	known := map[string]bool{}
	for _, o := range options {
		known[o.env] = true
		if o.secret {
			known[o.env+"_FILE"] = true
		}
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "IDEASX_") && !known[name] && !testOnly(name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Suggest names the setting an unknown variable was probably meant to be,
// or "" when none is close.
func Suggest(name string) string {
	best, bestDist := "", 3
	for _, o := range options {
		if d := distance(name, o.env); d < bestDist {
			best, bestDist = o.env, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// CheckSingleStore refuses Redis with the embedded SQLite: Redis is there
// to join several instances, and several instances cannot share one SQLite
// file (each would see its own database on its own disk, or corrupt a
// shared one over a network file system).
func (c *Config) CheckSingleStore() error {
	if c.RedisURL != "" && c.DatabaseURL == "" {
		return errors.New("IDEASX_REDIS_URL is set but IDEASX_DATABASE_URL is not: Redis joins several instances, " +
			"and several instances cannot share the embedded SQLite database. Set IDEASX_DATABASE_URL to a postgres:// URL, " +
			"or unset IDEASX_REDIS_URL to run one instance on SQLite")
	}
	return nil
}

// Redact hides the password of any URL inside s (error messages of URL
// parsers and drivers quote the URL they were given), so that an error
// about a connection string never prints its secret.
func Redact(s string, secrets ...string) string {
	for _, raw := range secrets {
		if raw == "" {
			continue
		}
		if u, err := url.Parse(raw); err == nil {
			if p, ok := u.User.Password(); ok && p != "" {
				s = strings.ReplaceAll(s, p, "xxxxx")
			}
		}
		// A URL too malformed to parse still has its user:password@ part.
		if i := strings.Index(raw, "://"); i >= 0 {
			if at := strings.LastIndex(raw, "@"); at > i {
				if userinfo := raw[i+3 : at]; strings.Contains(userinfo, ":") {
					_, pw, _ := strings.Cut(userinfo, ":")
					if pw != "" {
						s = strings.ReplaceAll(s, pw, "xxxxx")
					}
				}
			}
		}
	}
	return s
}
