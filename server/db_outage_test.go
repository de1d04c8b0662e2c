package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// cuttable forwards TCP connections to a target until it is cut, as a
// restarting database or a broken network would look to the server.
type cuttable struct {
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
	// afterCommitOf, when set, cuts everything as soon as the database
	// has confirmed the commit of a transaction in which a statement
	// holding these bytes was sent (or of that statement, on its own): the
	// moment a crash makes the worst of.
	afterCommitOf []byte
}

func newCuttable(t *testing.T, target string) *cuttable {
	t.Helper()
	c := &cuttable{target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.addr = ln.Addr().String()
	c.serve(ln)
	t.Cleanup(c.cut)
	return c
}

func (c *cuttable) serve(ln net.Listener) {
	c.mu.Lock()
	c.ln = ln
	c.mu.Unlock()
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", c.target)
			if err != nil {
				in.Close()
				continue
			}
			c.mu.Lock()
			c.conns = append(c.conns, in, out)
			c.mu.Unlock()
			var armed atomic.Bool
			go func() {
				// Armed before the statement leaves: a one-statement
				// transaction's answer can be back before this goroutine
				// runs again.
				forward(out, in, func(chunk []byte) {
					if trigger := c.trigger(); trigger != nil && bytes.Contains(chunk, trigger) {
						armed.Store(true)
					}
				}, nil)
				out.Close()
			}()
			go func() {
				forward(in, out, nil, func(chunk []byte) {
					// Postgres's ReadyForQuery, idle, after it: the
					// transaction is committed and durable, whether it was
					// one statement or ended by COMMIT.
					if armed.Load() && bytes.Contains(chunk, []byte("Z\x00\x00\x00\x05I")) {
						c.mu.Lock()
						c.afterCommitOf = nil
						c.mu.Unlock()
						c.cut()
					}
				})
				in.Close()
			}()
		}
	}()
}

// trigger is afterCommitOf: set by the test while connections run.
func (c *cuttable) trigger() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.afterCommitOf
}

// forward copies src to dst, showing each chunk to before, if set, before
// it is written and to after, if set, once it is.
func forward(dst, src net.Conn, before, after func([]byte)) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if before != nil {
				before(buf[:n])
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			if after != nil {
				after(buf[:n])
			}
		}
		if err != nil {
			return
		}
	}
}

// cut closes the listener and every connection through it.
func (c *cuttable) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ln != nil {
		c.ln.Close()
		c.ln = nil
	}
	for _, conn := range c.conns {
		conn.Close()
	}
	c.conns = nil
}

// restore listens again on the same address.
func (c *cuttable) restore(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		t.Fatal(err)
	}
	c.serve(ln)
}

// TestDatabaseOutageSaysTryAgain: while Postgres cannot be reached, a reply
// posted through the API gets 503 "unavailable" with Retry-After and one
// posted from the page a page that says to send it again — never a 500,
// never a post the author believes saved; once the database is back,
// posting works and the reply sent during the outage does not exist.
func TestDatabaseOutageSaysTryAgain(t *testing.T) {
	t.Parallel()
	raw := storetest.NewPostgresSchema(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCuttable(t, u.Host)
	u.Host = proxy.addr
	st := storetest.OpenOptions(t, store.Options{DatabaseURL: u.String()})
	app := servertest.NewWithStore(t, st, nil)
	f := newLiveFixture(t, app, "record")
	reply(t, f.del, f.thread, "Before the outage.")

	proxy.cut()
	r := f.del.Do("POST", fmt.Sprintf("/api/v1/threads/%d/posts", f.thread), strings.NewReader(`{"body":"During the outage."}`), "application/json")
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, `"code":"unavailable"`) || r.Header.Get("Retry-After") == "" {
		t.Errorf("API reply during the outage: %d %s (Retry-After %q), want 503 unavailable with Retry-After", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
	page := f.del.Post(fmt.Sprintf("/forum/threads/%d/posts", f.thread), url.Values{"body": {"During the outage, from the page."}})
	if page.Status != http.StatusServiceUnavailable || !strings.Contains(page.Body, "may not have been saved") {
		t.Errorf("page reply during the outage: %d, want 503 saying it may not have been saved", page.Status)
	}

	proxy.restore(t)
	var ok bool
	for range 20 { // the pool drops its broken connections as it meets them
		r := f.del.Do("POST", fmt.Sprintf("/api/v1/threads/%d/posts", f.thread), strings.NewReader(`{"body":"After the outage."}`), "application/json")
		if r.Status == http.StatusCreated {
			ok = true
			break
		}
		if r.Status != http.StatusServiceUnavailable {
			t.Fatalf("reply after the outage: %d %s", r.Status, r.Body)
		}
	}
	if !ok {
		t.Fatal("posting did not come back after the database did")
	}
	posts, err := st.Posts(context.Background(), f.thread, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		if strings.Contains(p.Body, "During the outage") {
			t.Errorf("a reply refused during the outage was saved: %q", p.Body)
		}
	}
}

// TestDatabaseLostAfterCommitKeepsTheAnswer: when the database goes away
// just after it confirmed the commit of a reply or a new thread (a crash, a
// failover), it is saved, and the author must hear so: a 503 "may not have
// been saved, send it again" there would have it posted twice.
func TestDatabaseLostAfterCommitKeepsTheAnswer(t *testing.T) {
	t.Parallel()
	raw := storetest.NewPostgresSchema(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCuttable(t, u.Host)
	u.Host = proxy.addr
	st := storetest.OpenOptions(t, store.Options{DatabaseURL: u.String()})
	app := servertest.NewWithStore(t, st, nil)
	f := newLiveFixture(t, app, "record")
	reply(t, f.del, f.thread, "Before the crash.")
	direct, err := sql.Open("postgres", raw) // not through the proxy
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()

	for _, c := range []struct {
		what, path, body, json string
	}{
		{"reply", fmt.Sprintf("/api/v1/threads/%d/posts", f.thread), "Committed as the database went.", `{"body":%q}`},
		{"thread", "/api/v1/threads", "A thread committed as the database went.",
			fmt.Sprintf(`{"theme_id":%d,"kind":"discussion","title":"Crash","attribution":"record","body":%%q}`, themeID(t, app))},
	} {
		proxy.mu.Lock()
		proxy.afterCommitOf = []byte(c.body) // sent with the INSERT, on the connection that commits it
		proxy.mu.Unlock()
		r := f.del.Do("POST", c.path, strings.NewReader(fmt.Sprintf(c.json, c.body)), "application/json")
		if proxy.trigger() != nil {
			t.Fatalf("%s: the link was not cut after the commit (answered %d)", c.what, r.Status)
		}
		proxy.restore(t)
		var saved int
		if err := direct.QueryRow(`SELECT count(*) FROM posts WHERE body = $1`, c.body).Scan(&saved); err != nil {
			t.Fatal(err)
		}
		if saved != 1 || r.Status != http.StatusCreated {
			t.Errorf("%s committed as the link was cut: answered %d %.200s, saved %d times; want 201 and saved once", c.what, r.Status, r.Body, saved)
		}
	}
}
