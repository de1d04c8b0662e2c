// Package servertest runs a real Ideas Exchange server over httptest for
// tests, on either database engine, with mail captured from the log and an
// HTTP client that behaves like a browser without JavaScript.
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ideasx/server"
	"ideasx/server/auth"
	"ideasx/server/config"
	"ideasx/server/live"
	"ideasx/server/mail"
	"ideasx/store"
	"ideasx/store/storetest"
)

// App is one running server with its store.
type App struct {
	T   testing.TB
	URL string
	// BaseURL is the site's configured address; instances of one site share it.
	BaseURL string
	Store   *store.Store
	Server  *server.Server
	logs    *syncBuffer
	stop    func()
}

// Stop shuts the instance down as SIGTERM would: websockets are closed
// with "going away", then the listener.
func (a *App) Stop() { a.stop() }

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// New starts a server on a fresh database of engine e. env overrides IDEASX_* settings.
func New(t testing.TB, e storetest.Engine, env map[string]string) *App {
	t.Helper()
	return NewWithStore(t, storetest.Open(t, e), env)
}

// NewWithStore starts a server on an existing store.
func NewWithStore(t testing.TB, st *store.Store, env map[string]string) *App {
	t.Helper()
	return NewInstance(t, st, env, nil)
}

// NewInstance starts one of several instances sharing a database (each with
// its own store) through broker; a nil broker is the in-process one.
func NewInstance(t testing.TB, st *store.Store, env map[string]string, broker live.Broker) *App {
	t.Helper()
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	base := "http://" + ts.Listener.Addr().String()
	vars := map[string]string{"IDEASX_BASE_URL": base}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Parse("serve", nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Mail goes to the log, where Mails reads it, unless the test gives an
	// SMTP server in IDEASX_SMTP_URL.
	sender, err := mail.New(cfg.SMTPURL, cfg.MailFrom, log)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Deps{Config: cfg, Store: st, Logger: log, Mail: sender, Broker: broker})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	app := &App{T: t, URL: base, BaseURL: cfg.BaseURL, Store: st, Server: srv, logs: logs}
	app.stop = sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		ts.Close()
	})
	t.Cleanup(app.stop)
	return app
}

// Logs is everything the server logged so far.
func (a *App) Logs() string { return a.logs.String() }

// Mail is one message the server wrote to its log.
type Mail struct{ To, Subject, Body, Calendar string }

// Mails returns the mails sent to address, oldest first.
func (a *App) Mails(address string) []Mail {
	a.SettleMail()
	var out []Mail
	for _, line := range strings.Split(a.Logs(), "\n") {
		var rec struct {
			Msg     string `json:"msg"`
			To      string `json:"to"`
			Subject string `json:"subject"`
			Body    string `json:"body"`
			// Calendar is the iCalendar invitation sent with the mail, if any.
			Calendar string `json:"calendar"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil || !strings.HasPrefix(rec.Msg, "mail not sent") {
			continue
		}
		if rec.To == address {
			out = append(out, Mail{To: rec.To, Subject: rec.Subject, Body: rec.Body, Calendar: rec.Calendar})
		}
	}
	return out
}

// SettleMail sends every mail that is due now, and waits for those the
// server's own worker is sending, so that what the log holds is final.
func (a *App) SettleMail() {
	a.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The server's own worker may be claiming a mail in a transaction not
	// yet committed: the row looks unclaimed, yet a claim skips it (SKIP
	// LOCKED). So this loops until nothing is due and nothing is in flight.
	for ctx.Err() == nil {
		if err := a.Server.RunMailJobs(ctx); err != nil {
			a.T.Logf("send due mail: %v", err)
			return
		}
		due, err := a.Store.NextMailDue(ctx)
		if err != nil {
			a.T.Logf("next mail due: %v", err)
			return
		}
		inFlight, err := a.Store.MailInFlight(ctx)
		if err != nil {
			a.T.Logf("mail in flight: %v", err)
			return
		}
		if inFlight == 0 && (due.IsZero() || due.After(a.Store.Now())) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitMails waits until at least n mails to address were logged, and
// returns them: mails from the outbox leave a moment after their cause.
func (a *App) WaitMails(address string, n int) []Mail {
	a.T.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mails := a.Mails(address)
		if len(mails) >= n || time.Now().After(deadline) {
			return mails
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var linkRe = regexp.MustCompile(`https?://\S+`)

// LastLink returns the last link in the last mail to address that contains part.
func (a *App) LastLink(address, part string) string {
	a.T.Helper()
	mails := a.Mails(address)
	for i := len(mails) - 1; i >= 0; i-- {
		links := linkRe.FindAllString(mails[i].Body, -1)
		for j := len(links) - 1; j >= 0; j-- {
			if strings.Contains(links[j], part) {
				return links[j]
			}
		}
	}
	a.T.Fatalf("no mail to %s with a link containing %q; mails: %+v", address, part, mails)
	return ""
}

// Password is what CreateUser gives every account.
const Password = "a long enough password"

// hashOnce is Password hashed at the lowest argon2id cost: signing in is
// what nearly every test does, and at OWASP's cost under the race detector
// it was a tenth of the suite. The sign-up, reset and account tests hash at
// the real cost through the server.
var hashOnce = sync.OnceValues(func() (string, error) {
	return auth.HashPasswordWith(Password, auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
})

// CreateUser makes an account directly in the store, with Password.
func (a *App) CreateUser(email string, role store.Role, org string, kind store.OrgKind) *store.User {
	a.T.Helper()
	hash, err := hashOnce()
	if err != nil {
		a.T.Fatal(err)
	}
	status := store.StatusActive
	if role == store.RolePending {
		status = store.StatusPending
	}
	u, err := a.Store.CreateUser(context.Background(), store.NewUser{Email: email, Name: "Test " + strings.Split(email, "@")[0],
		Role: role, Status: status, PasswordHash: hash}, store.Organisation{Name: org, Kind: kind, Country: "CH"})
	if err != nil {
		a.T.Fatal(err)
	}
	return u
}

// Client is a cookie-keeping HTTP client that does not follow redirects, so
// tests see each step as a browser without JavaScript would.
type Client struct {
	app  *App
	http *http.Client
	// Header is added to every request.
	Header http.Header
}

// uncompressed is the clients' transport. It does not ask for gzip on its
// own, as Go's default one does: compressing every answer under the race
// detector cost the tests more than it tested. The compression tests send
// Accept-Encoding themselves, and get what a browser gets.
var uncompressed = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true
	return t
}()

// Client returns a new client with an empty cookie jar.
func (a *App) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{app: a, Header: http.Header{}, http: &http.Client{Jar: jar, Transport: uncompressed,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Response is a read response.
type Response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

// Do sends a request and reads the whole answer.
func (c *Client) Do(method, path string, body io.Reader, contentType string) Response {
	c.app.T.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = c.app.URL + path
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		c.app.T.Fatal(err)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.app.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Body: string(b), Location: resp.Header.Get("Location"), Header: resp.Header}
}

// Get fetches a page.
func (c *Client) Get(path string) Response { return c.Do(http.MethodGet, path, nil, "") }

// Post submits a form.
func (c *Client) Post(path string, form url.Values) Response {
	return c.Do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// SignIn signs in with Password and fails the test unless it works.
func (c *Client) SignIn(email string) {
	c.SignInWith(email, Password)
}

// SignInWith signs in with a given password and fails the test unless it works.
func (c *Client) SignInWith(email, password string) {
	c.app.T.Helper()
	r := c.Post("/signin", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther {
		c.app.T.Fatalf("sign in %s: got %d, want 303\n%s", email, r.Status, r.Body)
	}
}
