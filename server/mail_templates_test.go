package server

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"ideasx/frontend"
	"ideasx/server/config"
	"ideasx/server/i18n"
	"ideasx/server/mail"
	"ideasx/server/views"
)

// mailSamples renders every mail template once, in lang, with everything
// it can show filled in (footer included where the real mail has one).
func mailSamples(t *testing.T, lang string) map[string]mail.Message {
	t.Helper()
	tr, err := i18n.Load(frontend.Translations())
	if err != nil {
		t.Fatal(err)
	}
	mails, err := views.NewMails(frontend.Templates(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: &config.Config{BaseURL: "https://ideas.example.org"}, tr: tr, mails: mails}
	l := tr.For(lang)
	base := s.cfg.BaseURL
	footer := func(v *mailView, digest bool) *mailView {
		v.UnsubscribeURL, v.PrefsURL, v.Digest, v.ListID = base+"/unsubscribe/tok.mention.sig", base+"/account/notifications", digest, "notifications"
		return v
	}
	views := map[string]*mailView{
		"register":         {Subject: l.T("mail_register_subject"), Name: "Ana Pérez", Data: map[string]string{"SigninURL": base + "/signin"}},
		"existing_account": {Subject: l.T("mail_register_again_subject"), Name: "Ana Pérez", Data: map[string]string{"SigninURL": base + "/signin", "ResetURL": base + "/reset"}},
		"reset":            {Subject: l.T("mail_reset_subject"), Name: "Ana Pérez", Data: map[string]any{"URL": base + "/reset/0123456789abcdef", "Minutes": 60}},
		"invitation":       {Subject: l.T("mail_invitation_subject"), Data: map[string]any{"URL": base + "/invite/0123456789abcdef", "Days": 14, "Inviter": "Secretariat"}},
		"notification": footer(&mailView{Subject: "Certificates of origin", Name: "Ana Pérez", ThreadID: 7, Data: mailNote{
			Lead: "Test biz (Andes Textiles) mentioned you in Certificates of origin.", Excerpt: "How long do certificates take in Chile?",
			Link: base + "/forum/threads/7-certificates-of-origin#post-12", LinkLabel: l.T("mail_read_post")}}, false),
		"digest": footer(&mailView{Subject: "Digest", Name: "Ana Pérez", Data: struct {
			Lead   string
			Groups []*digestGroup
		}{Lead: "News since 6 December 2026.", Groups: []*digestGroup{
			{Title: "Parcel fees", URL: base + "/forum/threads/8-parcel-fees", Items: []digestItem{
				{When: "6 December 2026, 10:00", Text: "Test biz replied in Parcel fees", Excerpt: "The fees doubled in March.", Link: base + "/forum/threads/8-parcel-fees#post-3"},
				{When: "6 December 2026, 11:00", Text: "A new thread"}}},
			{Title: l.T("mail_digest_other"), Items: []digestItem{{When: "6 December 2026, 12:00", Text: "Your account was approved", Link: base + "/signin"}}},
		}}}, true),
		"event_registration": {Subject: "MSME Day", Name: "Ana Pérez", Data: registrationMailData{
			Lead: "Your seat is confirmed.", EventTitle: "MSME Day", EventURL: base + "/events/3-msme-day", When: "27 June 2030, 10:00–13:00",
			Place: "Room D", OnlineURL: "https://meet.example.org/msme", ManageURL: base + "/registrations/tok",
			Message: "Please bring your badge.", MessageHTML: template.HTML("<p>Please bring your badge.</p>")}},
	}
	out := map[string]mail.Message{}
	for name, v := range views {
		if !s.mails.Has(name) {
			t.Errorf("no mail template %q", name)
			continue
		}
		v.Localizer = l
		m, err := s.renderMail(name, "ana@example.org", v)
		if err != nil {
			t.Fatalf("%s in %s: %v", name, lang, err)
		}
		out[name] = m
	}
	return out
}

var (
	styleAttrRE = regexp.MustCompile(`style="([^"]*)"`)
	hrefRE      = regexp.MustCompile(`href="([^"]+)"`)
	// mailCSS are the inline properties the templates may use: those
	// Mailpit's HTML check (after caniemail.com) finds supported by nearly
	// every client; max-width only on the outer table, for phones.
	mailCSS = map[string]bool{
		"padding": true, "color": true, "font-family": true, "font-size": true, "max-width": true,
	}
)

// TestMailTemplatesUseMailSafeHTML: every template, in every language, is
// a table layout with inline styles of properties mail clients support (no
// <style>, no <div> layout, no max-width or border-radius, which Outlook
// drops), and its text part carries every link of its HTML part.
func TestMailTemplatesUseMailSafeHTML(t *testing.T) {
	for _, lang := range i18n.Languages {
		for name, m := range mailSamples(t, lang) {
			if strings.Contains(m.HTML, "<style") || strings.Contains(m.HTML, "<div") {
				t.Errorf("%s/%s: <style> or <div> layout", name, lang)
			}
			if !strings.Contains(m.HTML, `<table role="presentation"`) {
				t.Errorf("%s/%s: no presentation table", name, lang)
			}
			for _, st := range styleAttrRE.FindAllStringSubmatch(m.HTML, -1) {
				for decl := range strings.SplitSeq(st[1], ";") {
					prop, _, _ := strings.Cut(decl, ":")
					if prop = strings.TrimSpace(prop); prop != "" && !mailCSS[prop] {
						t.Errorf("%s/%s: CSS property %q", name, lang, prop)
					}
				}
			}
			for _, h := range hrefRE.FindAllStringSubmatch(m.HTML, -1) {
				link := strings.ReplaceAll(h[1], "&amp;", "&")
				if !strings.Contains(m.Text, link) {
					t.Errorf("%s/%s: the text part lacks the link %s", name, lang, link)
				}
			}
		}
	}
}

// TestMailTemplatesMailpitScore sends every template to a Mailpit server
// and reads its HTML compatibility score, which must be 90 % or more. It
// runs only when IDEASX_TEST_MAILPIT names Mailpit's web address, with its
// SMTP server on port 1025 of the same host (see the README, "Notifications
// and e-mail"): CI does not install Mailpit, TestMailTemplatesUseMailSafeHTML
// holds the same rules there.
func TestMailTemplatesMailpitScore(t *testing.T) {
	api := os.Getenv("IDEASX_TEST_MAILPIT")
	if api == "" {
		t.Skip("IDEASX_TEST_MAILPIT is not set")
	}
	host := strings.Split(strings.TrimPrefix(strings.TrimPrefix(api, "http://"), "https://"), ":")[0]
	sender, err := mail.New("smtp+insecure://"+host+":1025", "Ideas Exchange <noreply@ideas.example.org>", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range mailSamples(t, "en") {
		m.Subject = "mailpit-check " + name + " " + time.Now().Format(time.RFC3339Nano)
		if err := sender.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		id := mailpitID(t, api, m.Subject)
		var check struct {
			Total struct {
				Supported float64 `json:"Supported"`
				Partial   float64 `json:"Partial"`
			} `json:"Total"`
			Warnings []struct {
				Title string `json:"Title"`
			} `json:"Warnings"`
		}
		getJSON(t, api+"/api/v1/message/"+id+"/html-check", &check)
		score := check.Total.Supported + check.Total.Partial
		var warnings []string
		for _, w := range check.Warnings {
			warnings = append(warnings, w.Title)
		}
		t.Logf("%-18s %5.1f %% supported, %5.1f %% with partly supported (%s)", name, check.Total.Supported, score, strings.Join(warnings, "; "))
		if check.Total.Supported < 90 {
			t.Errorf("%s: Mailpit's HTML check %.1f %%, want at least 90 %%", name, check.Total.Supported)
		}
	}
}

func mailpitID(t *testing.T, api, subject string) string {
	t.Helper()
	for range 50 {
		var found struct {
			Messages []struct {
				ID string `json:"ID"`
			} `json:"messages"`
		}
		getJSON(t, api+"/api/v1/search?query="+strings.ReplaceAll(fmt.Sprintf("subject:%q", subject), " ", "%20"), &found)
		if len(found.Messages) > 0 {
			return found.Messages[0].ID
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("Mailpit never got %q", subject)
	return ""
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v\n%s", url, err, b)
	}
}
