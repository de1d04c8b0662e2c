package browsertest

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// NewTab opens a tab with its own cookies that the caller closes, for a
// test that opens more tabs than it wants to keep until it ends.
func (b *Browser) NewTab() (context.Context, context.CancelFunc, error) {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, nil, err
	}
	return ctx, cancel, nil
}

// SetCookies gives the tab the cookies of a Cookie header (as
// servertest.Client.BrowserHeader returns them) for the site at base, so
// that the tab is signed in as that client is.
func SetCookies(ctx context.Context, base string, h http.Header) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	for _, line := range h.Values("Cookie") {
		for _, pair := range strings.Split(line, ";") {
			name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				continue
			}
			if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: u.String(), Path: "/"})
				return err
			})); err != nil {
				return err
			}
		}
	}
	return nil
}
