package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// switchableProxy is a reverse proxy in front of the app whose websocket
// can be cut and refused, as when a proxy or the network fails.
type switchableProxy struct {
	URL  string
	down atomic.Bool
	mu   sync.Mutex
	ws   map[net.Conn]bool
}

func newSwitchableProxy(t *testing.T) (*switchableProxy, func(app *servertest.App)) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &switchableProxy{URL: "http://" + ln.Addr().String(), ws: map[net.Conn]bool{}}
	start := func(app *servertest.App) {
		target, _ := url.Parse(app.URL)
		rp := httputil.NewSingleHostReverseProxy(target)
		srv := &http.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/ws" && p.down.Load() {
					http.Error(w, "upstream unavailable", http.StatusBadGateway)
					return
				}
				rp.ServeHTTP(w, r)
			}),
			ConnState: func(c net.Conn, s http.ConnState) {
				if s == http.StateHijacked {
					p.mu.Lock()
					p.ws[c] = true
					p.mu.Unlock()
				}
			},
		}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	}
	return p, start
}

// cut drops the websockets going through and refuses new ones.
func (p *switchableProxy) cut() {
	p.down.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.ws {
		c.Close()
		delete(p.ws, c)
	}
}

func signInAt(t *testing.T, tab page, site, email string) {
	t.Helper()
	browsertest.Do(t, tab,
		chromedp.Navigate(site+"/signin"),
		fill("#f-email", email),
		fill("#f-password", servertest.Password),
		click("form[action='/signin'] button[type=submit]"),
		waitFor(".account-menu"),
	)
}

// TestLiveOriginRefusedInBrowser: the site's address is
// http://127.0.0.1:PORT; a member who opens it as http://localhost:PORT
// is told, discreetly, that this address gets no live updates and where
// the site is, instead of a page that silently never updates.
func TestLiveOriginRefusedInBrowser(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	proxy, start := newSwitchableProxy(t)
	app := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_BASE_URL": proxy.URL})
	start(app)
	app.CreateUser("delegate@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	u, _ := url.Parse(proxy.URL)
	other := "http://localhost:" + u.Port()

	tab := b.Tab()
	signInAt(t, tab, other, "delegate@kenya.example")
	browsertest.Do(t, tab, chromedp.Navigate(other+"/forum"), waitFor("#live-status .live-status-refused"))
	assertText(t, tab, "#live-status", "This address is not allowed for live updates: open the site at "+proxy.URL+".")
	waitJS(t, tab, `document.querySelector("#live-status a").href === `+strconv.Quote(proxy.URL+"/forum"))
	waitJS(t, tab, `document.getElementById("live-status").getAttribute("role") === "status"`)
	viewportShot(t, tab, "live-refused-1280")
	browsertest.Do(t, tab, chromedp.EmulateViewport(390, 760))
	viewportShot(t, tab, "live-refused-390")
	if n := strings.Count(app.Logs(), `"msg":"websocket upgrade refused: browser origin not allowed"`); n != 1 {
		t.Errorf("refusal logged %d times, want once", n)
	}

	// At the site's own address the page is live, and says nothing.
	here := b.Tab()
	signInAt(t, here, proxy.URL, "delegate@kenya.example")
	browsertest.Do(t, here, chromedp.Navigate(proxy.URL+"/forum"), waitFor(".thread-list"))
	waitConnections(t, app, 1)
	if got := browsertest.Text(t, here, "#live-status"); got != "" {
		t.Errorf("a live page shows %q, want nothing", got)
	}

	// The connection fails again and again: the page says live updates
	// are paused and offers a reload; once it connects again, that goes.
	proxy.cut()
	browsertest.Do(t, here, waitFor("#live-status .live-status-paused"))
	assertText(t, here, "#live-status", "Live updates paused — reload the page.", "Reload")
	viewportShot(t, here, "live-paused-1280")
	browsertest.Do(t, here, chromedp.EmulateViewport(390, 760))
	viewportShot(t, here, "live-paused-390")
	proxy.down.Store(false)
	waitJS(t, here, `document.getElementById("live-status").childElementCount === 0`)
	waitConnections(t, app, 1)
}

// waitConnections waits until app's metrics count n websocket connections.
func waitConnections(t *testing.T, app *servertest.App, n int) {
	t.Helper()
	want := fmt.Sprintf("\nideasx_ws_connections %d\n", n)
	var body string
	for range 300 {
		if body = app.Client().Get("/metrics").Body; strings.Contains(body, want) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("websocket connections: want %q in the metrics", strings.TrimSpace(want))
}
