// Package config reads the server's settings from IDEASX_* environment
// variables and matching command-line flags into one validated value.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"ideasx/server/clientaddr"
)

// Config is every setting of `ideasx serve`, parsed once at start.
type Config struct {
	Addr            string
	DataDir         string
	DatabaseURL     string
	RedisURL        string
	RedisChannel    string
	EventRetention  time.Duration
	LivePoll        time.Duration
	BaseURL         string
	SMTPURL         string
	MailFrom        string
	MaxUploadMB     int
	LogLevel        string
	LogFormat       string
	SessionTTL      time.Duration
	ShutdownTimeout time.Duration
	// ShutdownDelay is how long SIGTERM keeps serving with /readyz at 503
	// before draining, so that a proxy checking readiness stops sending
	// requests first.
	ShutdownDelay time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For
	// entries name the client; empty trusts none.
	TrustedProxies clientaddr.Trusted
	// TrustProxy is the deprecated IDEASX_TRUST_PROXY: believe the last
	// X-Forwarded-For entry whatever the peer. It stays for one release.
	TrustProxy   bool
	MetricsToken string
	// WSMessageRate limits each websocket connection's messages,
	// WSReplayPerMinute each client's catch-ups; 0 turns the limit off.
	WSMessageRate     float64
	WSReplayPerMinute int

	// BaseURLDefaulted is set when no base URL was given and it was
	// guessed from the port: the loopback names of that port are as good.
	BaseURLDefaulted bool
	// AllowedOrigins are browser origins, besides the base URL's, that may
	// open the websocket and post forms (canonical, see CanonicalOrigin).
	AllowedOrigins []string
}

// option is one setting: its flag, its variable, its default and how to store it.
type option struct {
	flag, env, def, usage string
	secret                bool
	set                   func(c *Config, v string) error
}

func str(dst func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *dst(c) = v; return nil }
}

var options = []option{
	{"addr", "IDEASX_ADDR", ":8080", "address to listen on", false, str(func(c *Config) *string { return &c.Addr })},
	{"data-dir", "IDEASX_DATA_DIR", "./data", "directory of the embedded SQLite database", false, str(func(c *Config) *string { return &c.DataDir })},
	{"database-url", "IDEASX_DATABASE_URL", "", "postgres:// URL; empty uses SQLite in the data directory", true, str(func(c *Config) *string { return &c.DatabaseURL })},
	{"redis-url", "IDEASX_REDIS_URL", "", "redis:// URL for live updates across instances; empty uses the in-process broker", true, str(func(c *Config) *string { return &c.RedisURL })},
	{"redis-channel", "IDEASX_REDIS_CHANNEL", "ideasx:live", "Redis pub/sub channel of live updates; give each deployment sharing one Redis its own", false, str(func(c *Config) *string { return &c.RedisChannel })},
	{"event-retention", "IDEASX_EVENT_RETENTION", "720h", "how long live events are kept for clients catching up; older ones reload the page", false, duration(func(c *Config) *time.Duration { return &c.EventRetention })},
	{"live-poll", "IDEASX_LIVE_POLL", "30s", "how often each instance looks in the database for live events the broker did not bring (every second while the broker fails)", false, duration(func(c *Config) *time.Duration { return &c.LivePoll })},
	{"ws-message-rate", "IDEASX_WS_MESSAGE_RATE", "5", "messages a second a websocket client may send on average (after a burst of one per topic it may follow); one sending more is disconnected; 0 sets no limit", false, func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 0 && f <= 1000) { // NaN too
			return errors.New("must be a number of messages a second from 0 to 1000")
		}
		c.WSMessageRate = f
		return nil
	}},
	{"ws-replay-per-minute", "IDEASX_WS_REPLAY_PER_MINUTE", "5000", "stored events replayed to one websocket client (a person, or a visitor's address) in a minute; past it, a client catching up is told to reload; 0 sets no bound", false, func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errors.New("must be a whole number of events, 0 or more")
		}
		c.WSReplayPerMinute = n
		return nil
	}},
	{"base-url", "IDEASX_BASE_URL", "", "public URL of the site, used in links and origin checks (default http://localhost:PORT)", false, str(func(c *Config) *string { return &c.BaseURL })},
	{"allowed-origins", "IDEASX_ALLOWED_ORIGINS", "", "comma-separated other addresses browsers use for the site (https://ideas.example.org,http://192.168.1.10:8080), allowed like the base URL for live updates and forms", false, func(c *Config, v string) (err error) {
		c.AllowedOrigins, err = parseOrigins(v)
		return err
	}},
	{"smtp-url", "IDEASX_SMTP_URL", "", "smtp:// (STARTTLS required), smtps:// (TLS) or smtp+insecure:// (clear text, local relays) URL (user:password@host:port); empty writes mails to the log", true, str(func(c *Config) *string { return &c.SMTPURL })},
	{"mail-from", "IDEASX_MAIL_FROM", "Ideas Exchange <no-reply@localhost>", "sender of outgoing mail", false, str(func(c *Config) *string { return &c.MailFrom })},
	{"max-upload-mb", "IDEASX_MAX_UPLOAD_MB", "25", "largest file upload, in megabytes", false, func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 2048 {
			return errors.New("must be a whole number of megabytes from 1 to 2048")
		}
		c.MaxUploadMB = n
		return nil
	}},
	{"log-level", "IDEASX_LOG_LEVEL", "info", "debug, info, warn or error", false, func(c *Config, v string) error {
		switch v {
		case "debug", "info", "warn", "error":
			c.LogLevel = v
			return nil
		}
		return errors.New("must be debug, info, warn or error")
	}},
	{"log-format", "IDEASX_LOG_FORMAT", "json", "json or text", false, func(c *Config, v string) error {
		if v != "json" && v != "text" {
			return errors.New("must be json or text")
		}
		c.LogFormat = v
		return nil
	}},
	{"session-ttl", "IDEASX_SESSION_TTL", "720h", "how long an idle sign-in lasts", false, duration(func(c *Config) *time.Duration { return &c.SessionTTL })},
	{"shutdown-timeout", "IDEASX_SHUTDOWN_TIMEOUT", "25s", "how long to drain connections on SIGTERM", false, duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"shutdown-delay", "IDEASX_SHUTDOWN_DELAY", "0s", "on SIGTERM, how long to keep serving with /readyz answering 503 before draining, so a load balancer that health-checks /readyz stops sending requests first (longer than its check interval); 0 drains at once", false, func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 10*time.Minute {
			return errors.New("must be a duration from 0s to 10m, such as 8s")
		}
		c.ShutdownDelay = d
		return nil
	}},
	{"trusted-proxies", "IDEASX_TRUSTED_PROXIES", "", "comma-separated ranges or addresses of your reverse proxies (10.0.0.0/8,127.0.0.1); the client is the right-most X-Forwarded-For entry not among them; empty trusts no proxy", false, func(c *Config, v string) error {
		t, err := clientaddr.Parse(v)
		if err != nil {
			return err
		}
		c.TrustedProxies = t
		return nil
	}},
	{"trust-proxy", "IDEASX_TRUST_PROXY", "false", "deprecated, use IDEASX_TRUSTED_PROXIES: believe X-Forwarded-For from any peer", false, func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("must be true or false (and is deprecated: use IDEASX_TRUSTED_PROXIES)")
		}
		c.TrustProxy = b
		return nil
	}},
	{"metrics-token", "IDEASX_METRICS_TOKEN", "", "when set, /metrics requires this token in the X-Metrics-Token header", true, str(func(c *Config) *string { return &c.MetricsToken })},
}

func duration(dst func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("must be a positive duration such as 30s or 12h")
		}
		*dst(c) = d
		return nil
	}
}

// Parser reads the settings; commands may add flags of their own to its FlagSet.
type Parser struct {
	fs     *flag.FlagSet
	values map[string]string
	getenv func(string) string
	name   string
	out    io.Writer
}

// NewParser prepares the flags of every setting for the command name.
func NewParser(name string, getenv func(string) string, out io.Writer) *Parser {
	p := &Parser{fs: flag.NewFlagSet(name, flag.ContinueOnError), values: map[string]string{}, getenv: getenv, name: name, out: out}
	p.fs.SetOutput(out)
	for _, o := range options {
		p.fs.Func(o.flag, o.usage, func(v string) error { p.values[o.flag] = v; return nil })
	}
	// Parse prints the help itself, and a wrong flag in one line.
	p.fs.Usage = func() {}
	return p
}

// FlagSet is where a command adds its own flags.
func (p *Parser) FlagSet() *flag.FlagSet { return p.fs }

// Parse reads settings: defaults, then environment variables (and NAME_FILE
// variants for secrets), then flags from args. It returns flag.ErrHelp after
// printing the help when asked for it.
func (p *Parser) Parse(args []string) (*Config, error) {
	if err := p.parseFlags(args); err != nil {
		return nil, err
	}
	c := &Config{}
	for _, o := range options {
		v, fromFlag := p.values[o.flag]
		if !fromFlag {
			v = o.def
			if e := p.getenv(o.env); e != "" {
				v = e
			} else if path := p.getenv(o.env + "_FILE"); path != "" && o.secret {
				b, err := os.ReadFile(path)
				if err != nil {
					return nil, fmt.Errorf("%s_FILE: %w", o.env, err)
				}
				v = strings.TrimSpace(string(b))
			}
		}
		if err := o.set(c, v); err != nil {
			return nil, fmt.Errorf("%s (--%s): %w", o.env, o.flag, err)
		}
	}
	if err := c.checkAddr(); err != nil {
		return nil, err
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	if err := c.checkBaseURLPath(); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse is NewParser(…).Parse(args) for commands without flags of their own.
func Parse(name string, args []string, getenv func(string) string, out io.Writer) (*Config, error) {
	return NewParser(name, getenv, out).Parse(args)
}

func (c *Config) finish() error {
	if c.BaseURL == "" {
		port := c.Addr[strings.LastIndex(c.Addr, ":")+1:]
		c.BaseURL = "http://localhost:" + port
		c.BaseURLDefaulted = true
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("IDEASX_BASE_URL (--base-url): %q must be an absolute http(s) URL", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return errors.New("IDEASX_DATABASE_URL (--database-url): must start with postgres:// (leave it empty for the embedded SQLite)")
	}
	if c.TrustProxy && len(c.TrustedProxies) > 0 {
		return errors.New("IDEASX_TRUST_PROXY (--trust-proxy) is replaced by IDEASX_TRUSTED_PROXIES: remove it")
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		return errors.New("IDEASX_REDIS_URL (--redis-url): must start with redis:// or rediss://")
	}
	return nil
}

// SecureCookies reports whether cookies must carry the Secure flag.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// MaxUploadBytes is the upload limit in bytes.
func (c *Config) MaxUploadBytes() int64 { return int64(c.MaxUploadMB) << 20 }

// Domain is the host name of the base URL, without port: what the site's
// permanent identifiers (calendar UIDs, Message-IDs) are made unique with,
// whatever machine serves it.
func (c *Config) Domain() string {
	if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

func (p *Parser) usage() {
	out := p.out
	fmt.Fprintf(out, "Usage: ideasx %s [flags]\n\n", p.name)
	// The command's own flags first: they are what its reader came for.
	own := map[string]bool{}
	for _, o := range options {
		own[o.flag] = true
	}
	header := "Flags:\n"
	p.fs.VisitAll(func(f *flag.Flag) {
		if !own[f.Name] {
			fmt.Fprintf(out, "%s  --%-18s %s\n", header, f.Name, f.Usage)
			header = ""
		}
	})
	if header == "" {
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "Settings, shared by every command. Each can also be set by its environment variable; a flag wins over the variable.\n"+
		"Secrets may be read from a file named by NAME_FILE (e.g. IDEASX_DATABASE_URL_FILE).\n")
	for _, o := range options {
		def := o.def
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(out, "  --%-18s %-26s default %s\n      %s\n", o.flag, o.env, def, o.usage)
	}
}

// Summary lists the settings for the start-up log, with secrets masked.
func (c *Config) Summary() []any {
	mask := func(raw string) string {
		if raw == "" {
			return ""
		}
		u, err := url.Parse(raw)
		if err != nil {
			return "(set)"
		}
		return u.Redacted()
	}
	return []any{"addr", c.Addr, "base_url", c.BaseURL, "data_dir", c.DataDir, "database_url", mask(c.DatabaseURL),
		"redis_url", mask(c.RedisURL), "smtp_url", mask(c.SMTPURL), "max_upload_mb", c.MaxUploadMB, "allowed_origins", strings.Join(c.AllowedOrigins, ","),
		"trusted_proxies", c.TrustedProxies.String()}
}
