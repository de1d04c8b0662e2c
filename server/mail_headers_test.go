package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestMailRefusedWithoutSTARTTLS: with smtp://, a server that offers no
// STARTTLS gets nothing, not even a reset link; the mail waits in the
// outbox and the log says at error level what to change.
func TestMailRefusedWithoutSTARTTLS(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	app := servertest.New(t, storetest.SQLite, map[string]string{"IDEASX_SMTP_URL": "smtp://" + sink.addr})
	u := app.CreateUser("ana@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	if r := app.Client().Post("/reset", url.Values{"email": {u.Email}}); r.Status != http.StatusOK {
		t.Fatalf("reset request: %d", r.Status)
	}
	app.SettleMail()
	time.Sleep(200 * time.Millisecond)
	if n := sink.count(); n != 0 {
		t.Fatalf("the server without STARTTLS received %d mails in clear text", n)
	}
	if n, _ := app.Store.PendingMail(context.Background()); n != 1 {
		t.Errorf("pending mails: %d, want the reset mail kept", n)
	}
	logs := app.Logs()
	if !strings.Contains(logs, `"level":"ERROR"`) || !strings.Contains(logs, "offers no STARTTLS") || !strings.Contains(logs, "smtp+insecure://") {
		t.Errorf("the log does not say why at error level:\n%s", logs)
	}
}

// TestMailHeaders: Message-IDs at the site's domain, Auto-Submitted on
// every mail, Content-Language in the recipient's language, List-Id on
// notifications and digests (not on account mails), and the mails about
// one thread referring to one root so that mail clients group them.
func TestMailHeaders(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	f := newMailFixture(t, storetest.SQLite, sink)
	ctx := context.Background()
	st := f.app.Store
	if err := st.SetLocale(ctx, f.del.ID, "fr"); err != nil {
		t.Fatal(err)
	}
	domain := strings.TrimPrefix(strings.Split(f.app.BaseURL, ":")[1], "//")
	certs := f.thread(t, f.biz, "Certificates of origin", store.OnTheRecord)
	fees := f.thread(t, f.biz, "Parcel fees", store.OnTheRecord)
	f.post(t, certs, f.biz, "First question", f.del.ID)
	f.post(t, certs, f.biz, "Second question", f.del.ID)
	f.post(t, fees, f.biz, "Third question", f.del.ID)
	got := sink.wait(f.del.Email, 3)
	roots := map[string]string{}
	ids := map[string]bool{}
	for _, m := range got {
		h := m.Header
		id := h.Get("Message-Id")
		if !strings.HasSuffix(id, "@"+domain+">") || ids[id] {
			t.Errorf("Message-ID %q: want a new one at %s", id, domain)
		}
		ids[id] = true
		for name, want := range map[string]string{"Auto-Submitted": "auto-generated", "Content-Language": "fr",
			"List-Id": `"Ideas Exchange" <notifications.` + domain + ">"} {
			if h.Get(name) != want && !(name == "List-Id" && strings.HasSuffix(h.Get(name), "<notifications."+domain+">")) {
				t.Errorf("%s: %q, want %q", name, h.Get(name), want)
			}
		}
		if h.Get("In-Reply-To") == "" || h.Get("References") != h.Get("In-Reply-To") {
			t.Errorf("In-Reply-To %q References %q", h.Get("In-Reply-To"), h.Get("References"))
		}
		roots[m.Parts["text/plain"]] = h.Get("In-Reply-To")
	}
	want := map[string]string{"First": fmt.Sprintf("<thread-%d@%s>", certs.ID, domain), "Second": fmt.Sprintf("<thread-%d@%s>", certs.ID, domain),
		"Third": fmt.Sprintf("<thread-%d@%s>", fees.ID, domain)}
	for text, root := range roots {
		for word, w := range want {
			if strings.Contains(text, word+" question") && root != w {
				t.Errorf("the mail about %q refers to %q, want %q", word, root, w)
			}
		}
	}

	// An account mail: automatic, in its language, no List-Id, no thread.
	en := f.app.Client()
	if r := en.Post("/reset", url.Values{"email": {f.biz.Email}}); r.Status != http.StatusOK {
		t.Fatalf("reset: %d", r.Status)
	}
	f.app.SettleMail()
	reset := sink.wait(f.biz.Email, 1)[0].Header
	if reset.Get("Auto-Submitted") != "auto-generated" || reset.Get("Content-Language") != "en" || reset.Get("List-Id") != "" ||
		reset.Get("In-Reply-To") != "" || !strings.HasSuffix(reset.Get("Message-Id"), "@"+domain+">") {
		t.Errorf("reset mail headers: %v", reset)
	}

	// A digest carries its own List-Id.
	if err := st.SetDigest(ctx, f.mod.ID, "daily"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetWatch(ctx, f.mod.ID, "theme", f.theme, store.Watching); err != nil {
		t.Fatal(err)
	}
	f.app.SettleMail()
	f.thread(t, f.biz, "Customs delays", store.OnTheRecord)
	st.SetClock(func() time.Time { return time.Now().Add(25 * time.Hour) })
	f.app.SettleMail()
	for _, m := range sink.wait(f.mod.Email, 1) {
		if strings.HasSuffix(m.Header.Get("List-Id"), "<digest."+domain+">") {
			return
		}
	}
	t.Errorf("no digest with a digest List-Id among the moderator's mails")
}
