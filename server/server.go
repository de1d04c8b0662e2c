// Package server is the HTTP side of Ideas Exchange: routes, handlers,
// middleware and sessions.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"ideasx/frontend"
	"ideasx/server/config"
	"ideasx/server/i18n"
	"ideasx/server/live"
	"ideasx/server/mail"
	"ideasx/server/ratelimit"
	"ideasx/server/views"
	"ideasx/store"
)

// ReadyCheck is one dependency that /readyz and /metrics ask. Those of
// Deps are reported but do not make the instance unready: only the
// database does (see dependencies).
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Deps is what the server is built from.
type Deps struct {
	Config      *config.Config
	Store       *store.Store
	Logger      *slog.Logger
	Mail        mail.Sender
	ReadyChecks []ReadyCheck
	// Broker carries live updates between instances; nil means this
	// instance is alone (the in-process broker).
	Broker live.Broker
}

// Server holds the application's handlers and their dependencies.
type Server struct {
	cfg     *config.Config
	store   *store.Store
	log     *slog.Logger
	mail    mail.Sender
	tr      *i18n.Translator
	views   *views.Renderer
	static  *views.Static
	metrics *metrics
	deps    *dependencies
	limits  limits
	origins *originPolicy
	// apiRoutes records every API pattern, so a test can hold the OpenAPI document to it.
	apiRoutes []string
	// forumPatterns records the forum's routes, for the same reason.
	forumPatterns []string
	// patterns records every route of every area (see routeTable).
	patterns []string
	handler  http.Handler
	dash     dashboardCache
	visitors *visitorCache
	threads  *threadSnapshots
	hub      *live.Hub
	stopHub  context.CancelFunc
	hubDone  chan struct{}
	// instance names this server among those sharing the database.
	instance string
	mails    *views.Mails
	mailer   *mailWorker
	// unsubKey signs unsubscribe links (see unsubscribe.go).
	unsubKeyMu sync.Mutex
	unsubKey   []byte
	// untrustedXFF warns once of a proxy that IDEASX_TRUSTED_PROXIES misses.
	untrustedXFF sync.Once
	// stopping is set by StopBeingReady: /readyz answers 503 from then on.
	stopping atomic.Bool
}

type limits struct {
	signinIP, signinAccount, registerIP, registerAccount, resetIP, resetAccount *ratelimit.Limiter
	// preview is per account: the editor's Preview tab.
	preview *ratelimit.Limiter
	// mentions is per account: the editor's suggestions after "@".
	mentions *ratelimit.Limiter
	// eventRegisterIP bounds visitors' registrations for meetings per address.
	eventRegisterIP *ratelimit.Limiter
}

// parsedFrontend is what a server makes of the embedded templates, translations
// and static files. It is the same for every server of the process, and
// made once: tests start hundreds of servers, and parsing and cloning the
// templates was a tenth of their time under the race detector.
type parsedFrontend struct {
	tr     *i18n.Translator
	static *views.Static
	views  *views.Renderer
	mails  *views.Mails
}

var loadFrontend = sync.OnceValues(func() (*parsedFrontend, error) {
	tr, err := i18n.Load(frontend.Translations())
	if err != nil {
		return nil, err
	}
	static, err := views.NewStatic(frontend.Static())
	if err != nil {
		return nil, fmt.Errorf("server: static files: %w", err)
	}
	rend, err := views.New(frontend.Templates(), static, templateFuncs())
	if err != nil {
		return nil, err
	}
	mails, err := views.NewMails(frontend.Templates(), nil)
	if err != nil {
		return nil, err
	}
	return &parsedFrontend{tr: tr, static: static, views: rend, mails: mails}, nil
})

// New builds the server on the parsed templates and translations.
func New(d Deps) (*Server, error) {
	fe, err := loadFrontend()
	if err != nil {
		return nil, err
	}
	tr, static, rend, mails := fe.tr, fe.static, fe.views, fe.mails
	origins, err := newOriginPolicy(d.Config, d.Logger)
	if err != nil {
		return nil, fmt.Errorf("server: base URL: %w", err)
	}
	s := &Server{
		cfg: d.Config, store: d.Store, log: d.Logger, mail: d.Mail, tr: tr, views: rend, static: static, mails: mails,
		deps:    newDependencies(ReadyCheck{Name: "database", Check: d.Store.Ping}, d.ReadyChecks, d.Logger),
		origins: origins, threads: newThreadSnapshots(),
		limits: limits{
			// Ten tries at once per account, then one a minute: a person who
			// mistypes is not blocked, a guesser gets a few hundred a day.
			signinAccount: ratelimit.New(time.Minute, 10),
			signinIP:      ratelimit.New(6*time.Second, 30),
			registerIP:    ratelimit.New(10*time.Minute, 5),
			// Registering a taken address mails its owner; this bounds how
			// often anyone can make that happen.
			registerAccount: ratelimit.New(20*time.Minute, 3),
			resetIP:         ratelimit.New(time.Minute, 5),
			resetAccount:    ratelimit.New(10*time.Minute, 3),
			// A preview costs what a post costs without the write (a
			// rendering, a look-up of its mentions). A person opens the tab
			// now and then; 60 at once, then one a second, stops only a loop.
			preview: ratelimit.New(time.Second, 60),
			// The editor asks once typing pauses (150 ms) and keeps what it
			// got; a fast typist makes a few a second for a moment. 60 at
			// once, then five a second, stops only a loop or a scraper.
			mentions: ratelimit.New(200*time.Millisecond, 60),
			// A visitor's registration mails the address given; a group
			// registering from one office gets 20 at once, then one a minute.
			eventRegisterIP: ratelimit.New(time.Minute, 20),
		},
	}
	s.metrics = newMetrics(d.Store)
	s.metrics.registry.MustRegister(s.deps)
	s.visitors = newVisitorCache(s.metrics.registry)
	if d.Config.TrustProxy {
		s.log.Warn("IDEASX_TRUST_PROXY is deprecated and goes in the next release: set IDEASX_TRUSTED_PROXIES to your proxies' addresses (such as 10.0.0.0/8) instead; until then X-Forwarded-For is believed from any peer")
	}
	s.handler = s.routes()
	var id [6]byte
	_, _ = rand.Read(id[:])
	s.instance = hex.EncodeToString(id[:])
	s.mailer = newMailWorker(s, s.instance)
	s.startHub(d)
	s.mailer.start()
	return s, nil
}

// startHub runs the live hub for as long as the server, and hands it the
// events of every committed change (which also wake the mail worker).
func (s *Server) startHub(d Deps) {
	s.hub = live.NewHub(live.Options{
		Events: d.Store, Rights: liveRights{s}, Broker: d.Broker, Log: d.Logger,
		Registerer: s.metrics.registry, Instance: s.instance,
		PollEvery: d.Config.LivePoll, MessageRate: offIfZero(d.Config.WSMessageRate), ReplayPerMinute: offIfZero(d.Config.WSReplayPerMinute),
		ClientAddr: s.clientIP,
		// Another instance's sign-out, suspension or revoked token counts
		// here as soon as it is announced, not a second later.
		AccountChanged: func(int64) { d.Store.ForgetCredentials() },
	})
	d.Store.OnEvents(func(evs []store.LiveEvent) {
		s.hub.Publish(evs)
		s.mailer.committed(evs)
	})
	ctx, cancel := context.WithCancel(context.Background())
	s.stopHub, s.hubDone = cancel, make(chan struct{})
	go func() {
		defer close(s.hubDone)
		s.hub.Run(ctx)
	}()
}

// offIfZero maps a setting's "0: no limit" to live.Options' negative
// (zero there takes the default).
func offIfZero[T int | float64](v T) T {
	if v == 0 {
		return -1
	}
	return v
}

// Shutdown closes the websocket connections with "going away", so that
// clients reconnect to another instance, and stops the live hub and the
// mail worker. The HTTP server's own Shutdown does not know of hijacked
// connections.
func (s *Server) Shutdown(ctx context.Context) {
	s.mailer.stop(ctx)
	s.hub.Shutdown(ctx)
	s.stopHub()
	select {
	case <-s.hubDone:
	case <-ctx.Done():
	}
}

// Hub is the live hub, for tests and the benchmark.
func (s *Server) Hub() *live.Hub { return s.hub }

// Handler is the whole application with its middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// Translator exposes the translations, for mails sent from the command line.
func (s *Server) Translator() *i18n.Translator { return s.tr }

// APIRoutes lists the registered API patterns ("GET /api/v1/me").
func (s *Server) APIRoutes() []string { return s.apiRoutes }
