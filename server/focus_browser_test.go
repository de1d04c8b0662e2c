package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"ideasx/server/browsertest"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// focusStop is what the browser measured on one element reached with Tab.
type focusStop struct {
	What     string  `json:"what"`
	Style    string  `json:"style"`
	Width    float64 `json:"width"`
	Contrast float64 `json:"contrast"`
	Ring     string  `json:"ring"`
	Behind   string  `json:"behind"`
}

// measureFocus reads the focused element's outline and what lies beside it:
// outside the element (a positive offset) the ring is drawn on its
// parents' background, inside it on its own.
const measureFocus = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const cs = getComputedStyle(el);
  const rgb = s => { const m = s.match(/[\d.]+/g) || []; return {c: m.slice(0, 3).map(Number), a: m.length > 3 ? Number(m[3]) : 1}; };
  const bgOf = start => { for (let e = start; e; e = e.parentElement) { const b = rgb(getComputedStyle(e).backgroundColor); if (b.a > 0) return b.c; } return [255, 255, 255]; };
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ring = rgb(cs.outlineColor).c;
  const behind = parseFloat(cs.outlineOffset) >= 0 ? bgOf(el.parentElement) : bgOf(el);
  const [hi, lo] = [lum(ring), lum(behind)].sort((a, b) => b - a);
  return {what: el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") +
      " «" + (el.textContent || el.value || "").replace(/\s+/g, " ").trim().slice(0, 30) + "»",
    style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), contrast: (hi + 0.05) / (lo + 0.05),
    ring: "rgb(" + ring.join(",") + ")", behind: "rgb(" + behind.join(",") + ")"};
})()`

// TestFocusRingContrast tabs through pages as a keyboard user would, on a
// phone and on a desktop, and fails wherever the focused element shows no
// ring, or a ring with less than 3:1 contrast against what it is drawn on
// (WCAG 2.2, 1.4.11 and 2.4.13).
func TestFocusRingContrast(t *testing.T) {
	t.Parallel()
	b := browsertest.New(t)
	app := servertest.New(t, storetest.SQLite, nil)
	app.CreateUser("admin@focus.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
	pages := map[string][]string{
		"":                    {"/", "/documents", "/signin", "/register"},
		"admin@focus.example": {"/forum", "/forum/new", "/account", "/admin/users", "/moderation/categories", "/search?q=trade"},
	}
	stops := 0
	for email, paths := range pages {
		tab := b.Tab()
		if email != "" {
			c := app.Client()
			c.SignIn(email)
			if err := browsertest.SetCookies(tab, app.URL, c.BrowserHeader()); err != nil {
				t.Fatal(err)
			}
		}
		for _, path := range paths {
			for _, size := range [][2]int64{{phoneWidth, phoneHeight}, {desktopWidth, desktopHeight}} {
				browsertest.Do(t, tab, chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(app.URL+path))
				seen := map[string]bool{}
				for range 60 {
					browsertest.Do(t, tab, chromedp.KeyEvent(kb.Tab))
					ctx, cancel := context.WithTimeout(tab, 10*time.Second)
					s, err := chromedp.Run(ctx, chromedp.Evaluate[*focusStop](measureFocus))
					cancel()
					if err != nil {
						t.Fatalf("%s: %v", path, err)
					}
					if s == nil || seen[s.What] {
						break // back at the start of the page
					}
					seen[s.What] = true
					stops++
					at := fmt.Sprintf("%s at %d px, %s", path, size[0], s.What)
					switch {
					case s.Style == "none" || s.Width < 2:
						t.Errorf("%s: no focus ring (outline %s %.0f px)", at, s.Style, s.Width)
					case s.Contrast < 3:
						t.Errorf("%s: focus ring %s on %s has %.2f:1, want at least 3:1", at, s.Ring, s.Behind, s.Contrast)
					}
				}
			}
		}
	}
	if stops < 50 {
		t.Errorf("only %d elements took the focus: the walk did not run", stops)
	}
	t.Logf("%d focus stops checked", stops)
}
