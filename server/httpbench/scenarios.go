package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// scenario is one page loaded by one kind of reader.
type scenario struct {
	name   string
	reader string // visitor, member or moderator
	path   string
	cookie string
	// expect is text the page must hold, so that an error page or an
	// empty list is never what gets measured.
	expect []string
}

func (b *bench) scenarios() []scenario {
	thread := fmt.Sprintf("/forum/threads/%d", b.seed.threadID)
	last := fmt.Sprintf("Bench post %d.", threadPosts)
	return []scenario{
		{name: "thread-member", reader: "member", path: thread, cookie: b.seed.memberCookie, expect: []string{threadTitle, last}},
		{name: "thread-moderator", reader: "moderator", path: thread, cookie: b.seed.moderatorCookie, expect: []string{threadTitle, last}},
		{name: "forum-list", reader: "member", path: "/forum", cookie: b.seed.memberCookie, expect: []string{threadTitle}},
		{name: "documents", reader: "visitor", path: "/documents", expect: []string{documentPrefix + " 1"}},
		{name: "search-library", reader: "visitor", path: "/search?q=exporters", expect: []string{documentPrefix}},
		{name: "search-forum", reader: "member", path: "/search?in=forum&q=" + forumWord, cookie: b.seed.memberCookie, expect: []string{threadTitle}},
	}
}

// check loads the page once, follows redirects within the site (a thread's
// address gains its slug) and returns the final path and the page's size,
// or why the page is not the one to measure.
func (b *bench) check(ctx context.Context, sc *scenario) (int, error) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for range 5 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.baseURL+sc.path, nil)
		if err != nil {
			return 0, err
		}
		if sc.cookie != "" {
			req.Header.Set("Cookie", sc.cookie)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, err
		}
		if loc := resp.Header.Get("Location"); resp.StatusCode/100 == 3 && loc != "" {
			u, err := url.Parse(loc)
			if err != nil || (u.Host != "" && b.baseURL != u.Scheme+"://"+u.Host) {
				return 0, fmt.Errorf("%s: redirected off the site to %q", sc.path, loc)
			}
			sc.path = u.RequestURI()
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("%s as %s: status %d, want 200:\n%.500s", sc.path, sc.reader, resp.StatusCode, body)
		}
		for _, want := range sc.expect {
			if !strings.Contains(string(body), want) {
				return 0, fmt.Errorf("%s as %s: the page lacks %q", sc.path, sc.reader, want)
			}
		}
		return len(body), nil
	}
	return 0, fmt.Errorf("%s: too many redirects", sc.path)
}

// measure checks and loads each scenario chosen by -only, one after the
// other.
func (b *bench) measure(ctx context.Context) ([]result, error) {
	var results []result
	for _, sc := range b.scenarios() {
		if !b.cfg.only.MatchString(sc.name) {
			continue
		}
		size, err := b.check(ctx, &sc)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", sc.name, err)
		}
		logf("%s: %s as %s, %d bytes", sc.name, sc.path, sc.reader, size)
		var r result
		if b.cfg.wrk {
			r, err = runWrk(ctx, b.cfg, b.baseURL+sc.path, sc.cookie)
		} else {
			r, err = runGo(ctx, b.cfg, b.baseURL+sc.path, sc.cookie)
		}
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", sc.name, err)
		}
		r.Name, r.Reader, r.Path, r.Bytes = sc.name, sc.reader, sc.path, size
		results = append(results, r)
	}
	if len(results) == 0 {
		return nil, fmt.Errorf("-only %q matches no scenario", b.cfg.only)
	}
	return results, nil
}
