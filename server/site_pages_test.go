package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestSitePages: anyone reads the privacy notice and the contact page, in
// their language, with the built-in text until an admin writes one; only
// admins write them, each save is audited, and what they write goes
// through the same sanitising renderer as posts.
func TestSitePages(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			app := servertest.New(t, e, map[string]string{"IDEASX_MAIL_FROM": "Trade Secretariat <desk@ideas.example>"})
			ctx := context.Background()
			admin := app.CreateUser("admin@x.example", store.RoleAdmin, "Secretariat", store.OrgSecretariat)
			app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
			app.CreateUser("biz@x.example", store.RoleBusiness, "Firm", store.OrgBusiness)
			app.CreateUser("mem@x.example", store.RoleMember, "Delegation", store.OrgMember)
			client := func(email, lang string) *servertest.Client {
				c := app.Client()
				if lang != "" {
					c.Header.Set("Accept-Language", lang)
				}
				if email != "" {
					c.SignIn(email)
				}
				return c
			}
			visitor, fr, es := client("", ""), client("", "fr"), client("", "es")
			adm := client("admin@x.example", "")
			page := func(c *servertest.Client, path string, want ...string) string {
				t.Helper()
				r := c.Get(path)
				if r.Status != http.StatusOK {
					t.Fatalf("GET %s: %d", path, r.Status)
				}
				mustContain(t, r, want...)
				return r.Body
			}

			// Built-in texts, translated, naming the secretariat's address.
			page(visitor, "/privacy", "<h1>Privacy notice</h1>", "argon2id", "IP", `href="/contact"`)
			page(fr, "/privacy", "Politique de confidentialité", "Votre compte")
			page(es, "/privacy", "Aviso de privacidad", "Su cuenta")
			page(visitor, "/contact", `href="mailto:desk@ideas.example"`, "write to the secretariat")
			page(fr, "/contact", "écrivez au secrétariat", "desk@ideas.example")

			// Linked from every page's footer and from the sign-up form.
			for _, c := range []*servertest.Client{visitor, adm} {
				page(c, "/", `<a href="/privacy">Privacy notice</a>`, `<a href="/contact">Contact</a>`)
			}
			reg := page(fr, "/register", `id="register-privacy"`)
			if i := strings.Index(reg, `id="register-privacy"`); !strings.Contains(reg[i:i+300], `href="/privacy"`) {
				t.Errorf("sign-up form: the privacy sentence does not link the notice: %s", reg[i:i+300])
			}

			// Nobody but an admin opens the editor or saves.
			write := url.Values{"body": {"Hijacked"}}
			if r := visitor.Post("/admin/pages/privacy/en", write); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/signin") {
				t.Errorf("visitor save: %d %s, want a redirect to sign in", r.Status, r.Location)
			}
			for _, email := range []string{"biz@x.example", "mem@x.example", "mod@x.example"} {
				c := client(email, "")
				if got := c.Get("/admin/pages").Status; got != http.StatusForbidden {
					t.Errorf("%s opens the editor: %d", email, got)
				}
				if got := c.Post("/admin/pages/privacy/en", write).Status; got != http.StatusForbidden {
					t.Errorf("%s saves: %d", email, got)
				}
			}
			if body := page(visitor, "/privacy"); strings.Contains(body, "Hijacked") {
				t.Fatal("a non-admin changed the privacy notice")
			}

			// An admin writes English; HTML is dropped as in posts.
			page(adm, "/admin/pages", `name="body"`, `action="/admin/pages/privacy/fr"`, `action="/admin/pages/contact/es"`)
			en := "## Data we keep\n\nWe keep **very little**. <script>alert(1)</script>"
			if r := adm.Post("/admin/pages/privacy/en", url.Values{"body": {en}}); r.Status != http.StatusSeeOther || r.Location != "/admin/pages" {
				t.Fatalf("admin save: %d %s", r.Status, r.Location)
			}
			page(adm, "/admin/pages", "The page was saved.", "We keep **very little**.")
			body := page(visitor, "/privacy", "<strong>very little</strong>", "Data we keep")
			if strings.Contains(body, "<script>alert") || strings.Contains(body, "argon2id") {
				t.Error("the written notice shows raw HTML or still the built-in text")
			}
			// French falls back to English until written in French.
			page(fr, "/privacy", "<strong>very little</strong>")
			if r := adm.Post("/admin/pages/privacy/fr", url.Values{"body": {"Nous gardons *peu*."}}); r.Status != http.StatusSeeOther {
				t.Fatalf("admin save fr: %d", r.Status)
			}
			page(fr, "/privacy", "<em>peu</em>")
			page(es, "/privacy", "<strong>very little</strong>")
			page(visitor, "/contact", "desk@ideas.example")

			// Bad input: a clear message, what was typed kept, nothing saved.
			long := strings.Repeat("x", 20001)
			r := adm.Post("/admin/pages/contact/es", url.Values{"body": {long}})
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("too long: %d, want 422", r.Status)
			}
			mustContain(t, r, "at most 20000 characters", `aria-invalid="true"`, long)
			for _, p := range []string{"/admin/pages/terms/en", "/admin/pages/privacy/de"} {
				if got := adm.Post(p, url.Values{"body": {"x"}}).Status; got != http.StatusNotFound {
					t.Errorf("POST %s: %d, want 404", p, got)
				}
			}
			page(es, "/contact", "escriba a la secretaría")

			// Emptying the French text brings back the English one.
			adm.Post("/admin/pages/privacy/fr", url.Values{"body": {""}})
			page(fr, "/privacy", "<strong>very little</strong>")

			entries, err := app.Store.AuditLog(ctx, store.AuditFilter{Action: "page.update"})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 3 {
				t.Fatalf("%d audit entries, want 3 (en, fr, fr emptied)", len(entries))
			}
			for _, e := range entries {
				if e.ActorID != admin.ID || e.TargetType != "site_page" {
					t.Errorf("audit entry %+v", e)
				}
			}
			page(adm, "/admin/audit", "page.update")
		})
	}
}
