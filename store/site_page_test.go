package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestSitePages: an admin's text is kept per language, a language nobody
// wrote shows the English one, clearing a text falls back again, and every
// save leaves an audit entry with the text before and after.
func TestSitePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		admin := mustUser(t, s, "admin@x.org", store.RoleAdmin, "Secretariat")
		text := func(slug, lang string) string {
			t.Helper()
			got, err := s.SitePageText(ctx, slug, lang)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := text("privacy", "fr"); got != "" {
			t.Fatalf("nothing written yet, got %q", got)
		}
		if err := s.SaveSitePage(ctx, admin.ID, "privacy", "en", "We keep *little*."); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSitePage(ctx, admin.ID, "privacy", "fr", "Nous gardons peu."); err != nil {
			t.Fatal(err)
		}
		for lang, want := range map[string]string{"en": "We keep *little*.", "fr": "Nous gardons peu.", "es": "We keep *little*."} {
			if got := text("privacy", lang); got != want {
				t.Errorf("privacy in %s = %q, want %q", lang, got, want)
			}
		}
		if got := text("contact", "fr"); got != "" {
			t.Errorf("contact took the privacy text: %q", got)
		}
		if err := s.SaveSitePage(ctx, admin.ID, "privacy", "fr", "Nous gardons très peu."); err != nil {
			t.Fatal(err)
		}
		if got := text("privacy", "fr"); got != "Nous gardons très peu." {
			t.Errorf("second save not kept: %q", got)
		}
		all, err := s.SitePageTexts(ctx, "privacy")
		if err != nil || len(all) != 2 || all["es"] != "" {
			t.Errorf("texts = %v (%v), want en and fr only", all, err)
		}
		if err := s.SaveSitePage(ctx, admin.ID, "privacy", "fr", ""); err != nil {
			t.Fatal(err)
		}
		if got := text("privacy", "fr"); got != "We keep *little*." {
			t.Errorf("cleared French should fall back to English, got %q", got)
		}
		for _, bad := range [][2]string{{"terms", "en"}, {"privacy", "de"}} {
			if err := s.SaveSitePage(ctx, admin.ID, bad[0], bad[1], "x"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("save %v: %v, want ErrNotFound", bad, err)
			}
		}
		log, err := s.AuditLog(ctx, store.AuditFilter{Action: "page.update"})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 4 {
			t.Fatalf("%d audit entries, want 4", len(log))
		}
		last := log[0]
		if last.ActorID != admin.ID || last.TargetType != "site_page" ||
			!strings.Contains(last.BeforeJSON, "très peu") || !strings.Contains(last.AfterJSON, `"lang":"fr"`) {
			t.Errorf("last audit entry = %+v", last)
		}
	})
}
