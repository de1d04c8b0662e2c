package main

import (
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"ideasx/server/config"
	"ideasx/server/mail"
)

// checkSettings reads vars as `ideasx serve` would at start, with the
// binary's own parsers, and says what it would refuse or ignore. where
// names the file(s) that set them.
func checkSettings(p *problems, where string, vars map[string]string) *config.Config {
	for _, name := range config.UnknownVariables(environ(vars)) {
		hint := ""
		if s := config.Suggest(name); s != "" {
			hint = " (did you mean " + s + "?)"
		}
		p.add("%s sets %s, which ideasx does not read: it logs an unknown-variable warning and runs without that setting%s", where, name, hint)
	}
	cfg, err := config.Parse("serve", nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		p.add("%s: ideasx serve would refuse to start: %v", where, err)
		return nil
	}
	if err := cfg.CheckSingleStore(); err != nil {
		p.add("%s: ideasx serve would refuse to start: %v", where, err)
	}
	// serve and the store parse these later than config does, after the
	// process has started: the same parsers, read here.
	if cfg.RedisURL != "" {
		if _, err := redis.ParseURL(cfg.RedisURL); err != nil {
			p.add("%s: IDEASX_REDIS_URL: ideasx serve would exit at start: %s", where, config.Redact(err.Error(), cfg.RedisURL))
		}
	}
	if cfg.DatabaseURL != "" {
		if _, err := url.Parse(cfg.DatabaseURL); err != nil {
			p.add("%s: IDEASX_DATABASE_URL is not a URL, the database would not open: %s", where, config.Redact(err.Error(), cfg.DatabaseURL))
		}
	}
	if cfg.SMTPURL != "" {
		if _, err := mail.New(cfg.SMTPURL, cfg.MailFrom, slog.New(slog.DiscardHandler)); err != nil {
			p.add("%s: IDEASX_SMTP_URL: ideasx serve would exit at start: %s", where, config.Redact(err.Error(), cfg.SMTPURL))
		}
	}
	return cfg
}

var settingName = regexp.MustCompile(`\bIDEASX_[A-Z0-9_]*[A-Z0-9]\b`)

// checkNamesMentioned: a setting named anywhere in deploy/ (comments, the
// README) is one the binary reads, so that an operator copying it from the
// documentation does not set a variable nothing reads. Variables that
// compose.yaml itself reads (${IDEASX_PORT}) are the compose file's own.
func checkNamesMentioned(p *problems, d deployFiles, composeVars map[string]bool) {
	paths := []string{"Dockerfile"}
	for path := range d {
		if strings.HasPrefix(path, "deploy/") {
			paths = append(paths, path)
		}
	}
	slices.Sort(paths)
	for _, path := range paths {
		seen := map[string]bool{}
		for _, name := range settingName.FindAllString(d[path], -1) {
			if seen[name] || composeVars[name] {
				continue
			}
			seen[name] = true
			if len(config.UnknownVariables([]string{name + "=x"})) > 0 {
				p.add("%s names %s, which ideasx does not read: an operator who sets it gets an unknown-variable warning and no effect", path, name)
			}
		}
	}
}
