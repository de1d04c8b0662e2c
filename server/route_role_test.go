package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"ideasx/server/live/liveclient"
	"ideasx/server/servertest"
	"ideasx/store/storetest"
)

// TestNothingWithheldLeaksOnAnyRoute walks every route the server
// registered (pages, API, feeds, search, the notification centre) and the
// websocket topics, as every kind of reader, by cookie and by token, over
// content seeded with canary words, and fails wherever a word reaches a
// reader who may not read what it was planted in: in a body or in a
// header (a Location's slug is a title). A route whose parameters the test
// cannot fill fails it, so that no new route goes unwalked.
func TestNothingWithheldLeaksOnAnyRoute(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			w := seedCanaries(t, servertest.New(t, e, nil))
			gets, unsafe := w.routes(t)
			w.checkIdentities(t)
			var requests, frames atomic.Int64
			var leaks atomic.Int64
			leak := func(format string, args ...any) {
				leaks.Add(1)
				t.Errorf(format, args...)
			}
			// Everyone reads first; only then are the forms posted, since an
			// empty form may still delete one's own post, and a reader
			// coming after would miss it.
			w.each(func(id rrIdentity) {
				for _, path := range gets {
					r := id.client.Get(path)
					requests.Add(1)
					if r.Status >= 500 {
						t.Errorf("GET %s as %s by %s: %d", path, id.role, id.auth, r.Status)
					}
					for _, word := range w.leaked(id.role, path, r) {
						leak("GET %s as %s by %s: %d shows %q", path, id.role, id.auth, r.Status, word)
					}
					w.saw(id.role, r.Body)
				}
				n, errs := w.live(id)
				frames.Add(n)
				for _, e := range errs {
					leak("websocket as %s by %s: %s", id.role, id.auth, e)
				}
			})
			for _, e := range w.presence(t) {
				leak("websocket presence and typing: %s", e)
			}
			w.each(func(id rrIdentity) {
				if id.auth != "cookie" {
					return
				}
				// A form posted from another site is refused before any
				// handler runs, whoever's cookie it carries.
				id.client.Header.Set("Origin", "https://evil.example")
				id.client.Header.Set("Sec-Fetch-Site", "cross-site")
				defer id.client.Header.Del("Origin")
				defer id.client.Header.Del("Sec-Fetch-Site")
				for _, rt := range unsafe {
					r := id.client.Do(rt.method, rt.path, nil, "")
					requests.Add(1)
					if r.Status != http.StatusForbidden {
						t.Errorf("cross-site %s %s as %s: %d, want 403", rt.method, rt.path, id.role, r.Status)
					}
					for _, word := range w.leaked(id.role, rt.path, r) {
						leak("cross-site %s %s as %s: %d shows %q", rt.method, rt.path, id.role, r.Status, word)
					}
				}
			})
			w.each(func(id rrIdentity) {
				if id.role == "moderator" || id.role == "admin" {
					// They may read everything, and their empty posts
					// would restore or unhide the canaries.
					return
				}
				for _, rt := range unsafe {
					if id.auth == "token" && !strings.HasPrefix(rt.path, "/api/") {
						// Pages answer a token as they answer a cookie, and
						// every page was read by token above: its forms
						// are posted by cookie only, the API both ways.
						continue
					}
					r := id.client.Do(rt.method, rt.path, nil, "")
					requests.Add(1)
					if r.Status >= 500 {
						t.Errorf("%s %s as %s by %s: %d", rt.method, rt.path, id.role, id.auth, r.Status)
					}
					for _, word := range w.leaked(id.role, rt.path, r) {
						leak("%s %s as %s by %s: %d shows %q", rt.method, rt.path, id.role, id.auth, r.Status, word)
					}
				}
			})
			// The words must be there for those who may read them, or the
			// walk proves nothing.
			for _, c := range w.canaries {
				for _, role := range c.readers {
					if !w.seen[c.word+" "+role] {
						t.Errorf("%s never saw %q, which it may read: the canary is planted wrong or a route lost it", role, c.word)
					}
				}
			}
			t.Logf("%d routes, %d GET and %d other paths, %d identities: %d HTTP requests, %d websocket messages, %d leaks, in %s",
				len(w.app.Server.Routes()), len(gets), len(unsafe), len(w.identities), requests.Load(), frames.Load(), leaks.Load(),
				time.Since(start).Round(time.Millisecond))
		})
	}
}

type rrRequest struct{ method, path string }

// each runs fn for every identity, a few at a time: each waits on the
// server most of the time.
func (w *rrWorld) each(fn func(id rrIdentity)) {
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, id := range w.identities {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			fn(id)
		}()
	}
	wg.Wait()
}

// routes expands every registered pattern into the paths to try: GET
// paths, and the others (sign-out last, so that it ends no session early).
func (w *rrWorld) routes(t *testing.T) (gets []string, unsafe []rrRequest) {
	t.Helper()
	keys := make([]string, 0, len(w.samples))
	for k := range w.samples {
		keys = append(keys, k)
	}
	// The longest prefix wins: "/documents/{ref}/files/{file}/{name}" before "/documents/{ref}".
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	used := map[string]bool{}
	var last []rrRequest
	for _, pattern := range w.app.Server.Routes() {
		method, p, found := strings.Cut(pattern, " ")
		if !found {
			// A pattern without a method answers every method: try it as GET.
			method, p = http.MethodGet, pattern
		}
		p = strings.TrimSuffix(p, "{$}")
		paths := []string{p}
		if strings.Contains(p, "{") {
			paths = nil
			for _, k := range keys {
				if strings.HasPrefix(p, k) {
					used[k] = true
					for _, v := range w.samples[k] {
						paths = append(paths, v+strings.TrimPrefix(p, k))
					}
					break
				}
			}
			if paths == nil || strings.Contains(paths[0], "{") {
				t.Fatalf("route %q has a parameter the test cannot fill: add its values to the samples in seedCanaries", pattern)
			}
		}
		for _, path := range paths {
			switch {
			case method == http.MethodGet || method == http.MethodHead:
				gets = append(gets, path)
				for _, q := range w.queries[p] {
					gets = append(gets, path+q)
				}
			case path == "/signout" || path == "/signin":
				last = append(last, rrRequest{method, path})
			default:
				unsafe = append(unsafe, rrRequest{method, path})
			}
		}
	}
	for k := range w.samples {
		if !used[k] {
			t.Errorf("sample %q matches no route any more", k)
		}
	}
	for p := range w.queries {
		if !slices.ContainsFunc(gets, func(g string) bool { return g == p }) {
			t.Errorf("query samples for %q match no GET route", p)
		}
	}
	return slices.Compact(gets), append(unsafe, last...)
}

// leaked lists the canary words in r that role may not read at path. What
// the request itself said (its path, its query) does not count.
func (w *rrWorld) leaked(role, path string, r servertest.Response) []string {
	var b strings.Builder
	b.WriteString(r.Body)
	for k, vs := range r.Header {
		for _, v := range vs {
			b.WriteString("\n" + k + ": " + v)
		}
	}
	text := b.String()
	for _, echo := range rrEchoes(path) {
		text = strings.ReplaceAll(text, echo, "")
	}
	chathamRoute := strings.Contains(path+"/", fmt.Sprintf("/threads/%d/", w.chathamThread)) ||
		strings.Contains(path+"&", fmt.Sprintf("?thread=%d&", w.chathamThread))
	var out []string
	for _, c := range w.canaries {
		if !strings.Contains(text, c.word) || c.chatham && !chathamRoute && !w.saysChatham(text) {
			continue
		}
		if l, linked := w.linkedOn[path+" "+c.word]; c.readBy(role) && (!linked || l.readBy(role)) {
			continue
		}
		out = append(out, c.word)
	}
	return out
}

// saw records which words role read in text.
func (w *rrWorld) saw(role, text string) {
	w.seenMu.Lock()
	defer w.seenMu.Unlock()
	for _, c := range w.canaries {
		if strings.Contains(text, c.word) {
			w.seen[c.word+" "+role] = true
		}
	}
}

// checkIdentities makes sure each identity is who the walk takes it for:
// a cookie or token that silently stopped working would turn every role
// into a visitor and every check into a pass.
func (w *rrWorld) checkIdentities(t *testing.T) {
	t.Helper()
	for _, id := range w.identities {
		r := id.client.Get("/api/v1/me")
		var me struct {
			Role   string `json:"role"`
			Status string `json:"status"`
		}
		_ = json.Unmarshal([]byte(r.Body), &me)
		// Tokens work for active accounts only.
		want := map[string]string{"visitor": "", "suspended": "", "visitor-role": "visitor", "demoted": "visitor", "chatham": "member", "pending token": ""}
		role, ok := want[id.role+" "+id.auth]
		if !ok {
			if role, ok = want[id.role]; !ok {
				role = id.role
			}
		}
		if got := me.Role; got != role || (role == "") != (r.Status == http.StatusUnauthorized) {
			t.Fatalf("%s by %s is taken for %q (%d), want %q", id.role, id.auth, got, r.Status, role)
		}
	}
}

// saysChatham reports whether text holds something said under Chatham House.
func (w *rrWorld) saysChatham(text string) bool {
	return slices.ContainsFunc(w.chathamWords, func(word string) bool { return strings.Contains(text, word) })
}

// rrEchoes are the forms in which a page may repeat its own address.
func rrEchoes(path string) []string {
	out := []string{path, url.QueryEscape(path), url.PathEscape(path)}
	if i := strings.LastIndex(path, "/"); i >= 0 {
		out = append(out, path[i+1:])
	}
	return out
}

// live subscribes, as id, to every topic with since 0 (all that was ever
// said there, replayed) and reports any frame carrying a word id may not
// read. It returns how many messages came.
func (w *rrWorld) live(id rrIdentity) (int64, []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, resp, err := liveclient.Dial(ctx, liveclient.Dialer{URLs: []string{w.app.WSURL()}, Header: id.header})
	if err != nil {
		if resp != nil && resp.StatusCode < 500 && !slices.Contains(rrForum, id.role) {
			return 0, nil // refused: nothing reached it
		}
		return 0, []string{fmt.Sprintf("dial: %v", err)}
	}
	defer c.Close()
	zero := int64(0)
	for _, topic := range w.topics {
		if err := c.Subscribe(topic, &zero); err != nil {
			return 0, []string{fmt.Sprintf("subscribe %s: %v", topic, err)}
		}
	}
	// The connection answers its messages in order and replays before it
	// answers the next one: the answer to the sentinel comes after every replay.
	const sentinel = "thread:999999999"
	if err := c.Subscribe(sentinel, &zero); err != nil {
		return 0, []string{fmt.Sprintf("subscribe: %v", err)}
	}
	var n int64
	var errs []string
	quietUntil := time.Time{}
	for {
		wait := 10 * time.Second
		if !quietUntil.IsZero() {
			wait = time.Until(quietUntil)
		}
		m, ok := c.Next(wait)
		if !ok {
			if quietUntil.IsZero() {
				errs = append(errs, fmt.Sprintf("no answer to the sentinel subscription (closes: %v)", c.CloseCodes()))
			}
			return n, errs
		}
		n++
		if m.Topic == sentinel && quietUntil.IsZero() {
			quietUntil = time.Now().Add(200 * time.Millisecond)
		}
		text := string(m.Data) + " " + m.Message
		w.saw(id.role, text)
		chatham := m.Topic == fmt.Sprintf("thread:%d", w.chathamThread) || w.saysChatham(text)
		for _, cn := range w.canaries {
			if strings.Contains(text, cn.word) && !cn.readBy(id.role) && (!cn.chatham || chatham) {
				errs = append(errs, fmt.Sprintf("%s on %s (seq %d) shows %q", m.Type, m.Topic, m.Seq, cn.word))
			}
		}
	}
}

// presence has both Chatham House authors open their thread and type in
// it while every reader of the forum has it open: who is there and who is
// typing must be told without a name to anyone but moderators (and a
// person about themself).
func (w *rrWorld) presence(t *testing.T) []string {
	t.Helper()
	topic := fmt.Sprintf("thread:%d", w.chathamThread)
	type reader struct {
		id rrIdentity
		c  *liveclient.Client
	}
	var readers []reader
	for _, id := range w.identities {
		if id.auth == "cookie" && slices.Contains(rrForum, id.role) {
			readers = append(readers, reader{id, servertest.Live(t, id.header, w.app)})
		}
	}
	cho := servertest.Live(t, w.choHeader, w.app)
	for _, r := range append(readers, reader{c: cho}) {
		if err := r.c.Subscribe(topic, nil); err != nil {
			t.Fatal(err)
		}
	}
	var errs []string
	got := make([]map[string]bool, len(readers))
	// read checks r's messages until until says stop or none comes for a while.
	read := func(i int, until func(liveclient.Message) bool) {
		r := readers[i]
		if got[i] == nil {
			got[i] = map[string]bool{}
		}
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
			m, ok := r.c.Next(time.Until(deadline))
			if !ok {
				return
			}
			got[i][m.Type] = true
			text := string(m.Data)
			w.saw(r.id.role, text)
			for _, cn := range w.canaries {
				if strings.Contains(text, cn.word) && !cn.readBy(r.id.role) {
					errs = append(errs, fmt.Sprintf("%s on %s shows %q to %s", m.Type, m.Topic, cn.word, r.id.role))
				}
			}
			if until(m) {
				return
			}
		}
	}
	// Everyone is in before anyone types.
	for i := range readers {
		read(i, func(m liveclient.Message) bool { return m.Type == "subscribed" && m.Topic == topic })
	}
	typing := []byte(`{"type":"typing","topic":"` + topic + `"}`)
	for _, c := range []*liveclient.Client{cho, readers[slices.IndexFunc(readers, func(r reader) bool { return r.id.role == "chatham" })].c} {
		if err := c.SendRaw(websocket.TextMessage, typing); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range readers {
		read(i, func(m liveclient.Message) bool { return m.Type == "typing" && got[i]["presence"] })
		if !got[i]["presence"] || !got[i]["typing"] {
			errs = append(errs, fmt.Sprintf("%s got no presence or typing on %s (%v): nothing was tested", r.id.role, topic, got[i]))
		}
	}
	return errs
}
