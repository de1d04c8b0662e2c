package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// smtpSink is a real SMTP server inside the test process: the mails a test
// server sends through IDEASX_SMTP_URL arrive here, parsed.
type smtpSink struct {
	t    *testing.T
	addr string
	mu   sync.Mutex
	got  []*receivedMail
	srv  *smtp.Server
	// refused are the recipients the server answers 550 "no such mailbox".
	refused map[string]bool
}

// receivedMail is one delivered message, decoded.
type receivedMail struct {
	To      string
	Subject string
	Header  netmail.Header
	// Parts maps each MIME type (text/plain, text/html) to its decoded content.
	Parts map[string]string
}

// newSMTPSink starts a sink on a free port.
func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	sink, ln := listenSMTPSink(t)
	sink.serve(ln)
	return sink
}

// reserveSMTPSink returns a sink whose address nothing answers yet: mail
// sent there fails, as when the SMTP server is down, until start.
func reserveSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	sink, ln := listenSMTPSink(t)
	ln.Close()
	return sink
}

// listenSMTPSink takes a free port for a sink.
func listenSMTPSink(t *testing.T) (*smtpSink, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &smtpSink{t: t, addr: ln.Addr().String()}, ln
}

func (k *smtpSink) start() {
	k.t.Helper()
	ln, err := net.Listen("tcp", k.addr)
	if err != nil {
		k.t.Fatalf("SMTP sink back on %s: %v", k.addr, err)
	}
	k.serve(ln)
}

func (k *smtpSink) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: k}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	k.srv = srv
	go func() { _ = srv.Serve(ln) }()
	k.t.Cleanup(func() { srv.Close() })
}

// URL is what IDEASX_SMTP_URL points at.
// The sink offers no STARTTLS, as a local relay may not: smtp+insecure://
// says so (smtp:// would refuse it, see TestMailRefusedWithoutSTARTTLS).
func (k *smtpSink) URL() string { return "smtp+insecure://" + k.addr }

func (k *smtpSink) add(to []string, data []byte) error {
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return err
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return err
	}
	parts := map[string]string{}
	if err := readParts(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, parts); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, rcpt := range to {
		k.got = append(k.got, &receivedMail{To: rcpt, Subject: subject, Header: msg.Header, Parts: parts})
	}
	return nil
}

// readParts walks a MIME body and decodes its leaves into parts.
func readParts(contentType, encoding string, body io.Reader, parts map[string]string) error {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := readParts(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, parts); err != nil {
				return err
			}
		}
	}
	if strings.EqualFold(encoding, "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	parts[mediaType] = string(b)
	return nil
}

// to returns the mails delivered to address so far.
func (k *smtpSink) to(address string) []*receivedMail {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*receivedMail
	for _, m := range k.got {
		if m.To == address {
			out = append(out, m)
		}
	}
	return out
}

func (k *smtpSink) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.got)
}

// wait waits until address has n mails.
func (k *smtpSink) wait(address string, n int) []*receivedMail {
	k.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := k.to(address)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			k.t.Fatalf("%s received %d mails, want %d", address, len(got), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type sinkSession struct {
	sink *smtpSink
	to   []string
}

func (s *sinkSession) Reset()        { s.to = nil }
func (s *sinkSession) Logout() error { return nil }
func (s *sinkSession) Mail(string, *smtp.MailOptions) error {
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.sink.mu.Lock()
	refused := s.sink.refused[to]
	s.sink.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return s.sink.add(s.to, b)
}

// mailFixture is a server sending through a sink, with a business, a
// member delegation and a moderator, and the theme they post in.
type mailFixture struct {
	app           *servertest.App
	sink          *smtpSink
	biz, del, mod *store.User
	theme         int64
}

func newMailFixture(t *testing.T, e storetest.Engine, sink *smtpSink) *mailFixture {
	t.Helper()
	app := servertest.New(t, e, map[string]string{"IDEASX_SMTP_URL": sink.URL()})
	f := &mailFixture{app: app, sink: sink, theme: themeID(t, app)}
	f.biz = app.CreateUser("biz@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	f.del = app.CreateUser("del@chile.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	f.mod = app.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	return f
}

func (f *mailFixture) thread(t *testing.T, author *store.User, title string, mode store.Attribution) *store.Thread {
	t.Helper()
	th, err := f.app.Store.CreateThread(context.Background(), store.NewThread{ThemeID: f.theme, Kind: "challenge", Title: title,
		Attribution: mode, Body: "Three weeks per certificate.", HTML: "<p>Three weeks per certificate.</p>", Author: author})
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func (f *mailFixture) post(t *testing.T, th *store.Thread, author *store.User, body string, mentions ...int64) int64 {
	t.Helper()
	p, err := f.app.Store.CreatePost(context.Background(), store.NewPost{ThreadID: th.ID, Author: author, Body: body,
		HTML: "<p>" + body + "</p>", Mentions: mentions})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// settle runs the jobs and waits a moment, for mails that should not come.
func (f *mailFixture) settle(t *testing.T) {
	t.Helper()
	f.app.SettleMail()
	time.Sleep(300 * time.Millisecond)
}

var unsubscribeRe = regexp.MustCompile(`^<(https?://[^>]+/unsubscribe/[^>]+)>$`)

// TestMentionMailInRecipientLanguage: a mention posted through the API
// reaches a French member by SMTP in French, multipart, with a link to
// the exact post and one-click unsubscribe headers; the one-click POST
// (as a mail client sends it) turns mention mails off.
func TestMentionMailInRecipientLanguage(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			sink := newSMTPSink(t)
			f := newMailFixture(t, e, sink)
			ctx := context.Background()
			if err := f.app.Store.SetLocale(ctx, f.del.ID, "fr"); err != nil {
				t.Fatal(err)
			}
			th := f.thread(t, f.biz, "Certificates of origin", store.OnTheRecord)
			biz := f.app.Client()
			biz.SignIn(f.biz.Email)
			postID := reply(t, biz, th.ID, "Could @"+f.del.Handle+" tell us how long certificates take in Chile?")

			m := sink.wait(f.del.Email, 1)[0]
			if !strings.Contains(m.Subject, "vous a mentionné") || !strings.Contains(m.Subject, "Certificates of origin") {
				t.Errorf("subject %q, want the French mention subject with the title", m.Subject)
			}
			text, html := m.Parts["text/plain"], m.Parts["text/html"]
			if text == "" || html == "" {
				t.Fatalf("want a text and an HTML part, got %v", keysOf(m.Parts))
			}
			if !strings.HasPrefix(m.Header.Get("Content-Type"), "multipart/alternative") {
				t.Errorf("Content-Type %q, want multipart/alternative", m.Header.Get("Content-Type"))
			}
			link := fmt.Sprintf("%s/forum/threads/%d-certificates-of-origin#post-%d", f.app.BaseURL, th.ID, postID)
			for name, part := range map[string]string{"text": text, "html": html} {
				for _, want := range []string{"Bonjour Test del", "Test biz (Andes Textiles) vous a mentionné", link,
					"how long certificates take in Chile", "Paramètres des notifications"} {
					if !strings.Contains(part, want) {
						t.Errorf("%s part lacks %q:\n%s", name, want, part)
					}
				}
			}
			if !strings.Contains(html, `<html lang="fr">`) {
				t.Error("HTML part is not marked French")
			}
			if got := m.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
				t.Errorf("List-Unsubscribe-Post = %q", got)
			}
			match := unsubscribeRe.FindStringSubmatch(m.Header.Get("List-Unsubscribe"))
			if match == nil {
				t.Fatalf("List-Unsubscribe = %q", m.Header.Get("List-Unsubscribe"))
			}
			unsubscribe := match[1]
			if !strings.Contains(text, unsubscribe) || !strings.Contains(html, unsubscribe) {
				t.Error("the footer lacks the unsubscribe link of the header")
			}

			// The page asks first, in the recipient's language, without signing in.
			visitor := f.app.Client()
			page := visitor.Get(unsubscribe)
			mustContain(t, page, "Se désabonner", "Mentions de votre nom", `method="post"`)
			// A forged token is refused.
			if r := visitor.Get(unsubscribe[:len(unsubscribe)-3] + "AAA"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "lien de désabonnement") && !strings.Contains(r.Body, "unsubscribe link") {
				t.Errorf("forged token: got %d\n%s", r.Status, r.Body)
			}
			otherKind := strings.Replace(unsubscribe, ".mention.", ".reply.", 1)
			if r := visitor.Get(otherKind); r.Status != http.StatusBadRequest {
				t.Errorf("token with its kind changed: got %d, want 400", r.Status)
			}
			// What a mail client sends: no cookie, no Origin, this body.
			r := f.app.Client().Do(http.MethodPost, unsubscribe, strings.NewReader("List-Unsubscribe=One-Click"), "application/x-www-form-urlencoded")
			if r.Status != http.StatusOK {
				t.Fatalf("one-click unsubscribe: got %d\n%s", r.Status, r.Body)
			}
			prefs, err := f.app.Store.Prefs(ctx, f.del.ID)
			if err != nil {
				t.Fatal(err)
			}
			if prefs.Channels[store.NotifyMention] != store.ChannelInApp {
				t.Errorf("mention channel after unsubscribing: %s, want inapp", prefs.Channels[store.NotifyMention])
			}
			reply(t, biz, th.ID, "And @"+f.del.Handle+", what about Peru?")
			f.settle(t)
			if got := sink.to(f.del.Email); len(got) != 1 {
				t.Errorf("after unsubscribing, %d mails, want still 1", len(got))
			}
			if n, _ := f.app.Store.UnreadNotifications(ctx, f.del.ID); n != 2 {
				t.Errorf("unread notifications: %d, want 2 (both mentions stay in the app)", n)
			}
		})
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestMailsKeepTheChathamHouseRule: under the Chatham House rule a mention
// mail to another member names neither the author nor the organisation,
// only its kind; the moderator's mail, like the page, names them.
func TestMailsKeepTheChathamHouseRule(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	f := newMailFixture(t, storetest.SQLite, sink)
	th := f.thread(t, f.biz, "Informal payments at the border", store.ChathamHouse)
	f.post(t, th, f.biz, "We are asked for cash at the border; have you seen this?", f.del.ID, f.mod.ID)

	m := sink.wait(f.del.Email, 1)[0]
	for name, part := range map[string]string{"subject": m.Subject, "text": m.Parts["text/plain"], "html": m.Parts["text/html"]} {
		for _, leak := range []string{"Test biz", "Andes", "biz@andes.example"} {
			if strings.Contains(part, leak) {
				t.Errorf("%s of the member's mail contains %q:\n%s", name, leak, part)
			}
		}
		if !strings.Contains(part, "A business") {
			t.Errorf("%s of the member's mail does not say %q:\n%s", name, "A business", part)
		}
	}
	mod := sink.wait(f.mod.Email, 1)[0]
	if !strings.Contains(mod.Parts["text/plain"], "Test biz (Andes Textiles, name hidden from others)") {
		t.Errorf("the moderator's mail does not name the author as the page does:\n%s", mod.Parts["text/plain"])
	}
}

// TestMailBuiltAtSendTime: a mail is built when it is sent, from the data
// as it is then. The SMTP server is down when the mails are queued; the
// post of one is hidden and the recipient of another suspended before it
// is back: only the third mail goes out.
func TestMailBuiltAtSendTime(t *testing.T) {
	t.Parallel()
	sink := reserveSMTPSink(t)
	f := newMailFixture(t, storetest.SQLite, sink)
	ctx := context.Background()
	kenya := f.app.CreateUser("del@kenya.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	peru := f.app.CreateUser("del@peru.example", store.RoleMember, "Delegation of Peru", store.OrgMember)
	th := f.thread(t, f.biz, "Parcel fees", store.OnTheRecord)
	hidden := f.post(t, th, f.biz, "A message soon hidden", f.del.ID)
	f.post(t, th, f.biz, "A message for Kenya", kenya.ID)
	f.post(t, th, f.biz, "A message for Peru", peru.ID)
	f.app.SettleMail()
	if n, _ := f.app.Store.PendingMail(ctx); n != 3 {
		t.Fatalf("queued mails: %d, want 3", n)
	}
	if err := f.app.Store.SetPostHidden(ctx, f.mod, hidden, true); err != nil {
		t.Fatal(err)
	}
	if err := f.app.Store.SetStatus(ctx, f.mod.ID, kenya.ID, store.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	sink.start()
	f.app.Store.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	f.app.SettleMail()
	sink.wait(peru.Email, 1)
	f.settle(t)
	if n, _ := f.app.Store.PendingMail(ctx); n != 0 {
		t.Errorf("pending mails: %d, want 0 (skipped mails are done with)", n)
	}
	if got := sink.count(); got != 1 {
		t.Errorf("%d mails sent, want 1 (to Peru)", got)
	}
}

// TestDigestHoldsWhatIsStillReadable: a daily digest lists, grouped by
// thread, the news of its window that the person may still read: not a
// thread hidden since, nor a reply hidden since.
func TestDigestHoldsWhatIsStillReadable(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			sink := newSMTPSink(t)
			f := newMailFixture(t, e, sink)
			ctx := context.Background()
			st := f.app.Store
			if err := st.SetDigest(ctx, f.del.ID, "daily"); err != nil {
				t.Fatal(err)
			}
			if err := st.SetWatch(ctx, f.del.ID, "theme", f.theme, store.Watching); err != nil {
				t.Fatal(err)
			}
			// A first digest run marks where the next window starts; nothing to say yet.
			f.app.SettleMail()

			parcel := f.thread(t, f.biz, "Parcel fees", store.OnTheRecord)
			customs := f.thread(t, f.biz, "Customs delays", store.OnTheRecord)
			secret := f.thread(t, f.biz, "Soon hidden thread", store.OnTheRecord)
			f.post(t, parcel, f.del, "We looked at the fees.")
			f.post(t, parcel, f.biz, "The fees doubled in March.")
			if err := st.SetWatch(ctx, f.del.ID, "thread", customs.ID, store.Watching); err != nil {
				t.Fatal(err)
			}
			gone := f.post(t, customs, f.biz, "A reply that will be hidden.")
			if err := st.SetThreadSwitch(ctx, f.mod.ID, secret.ID, store.SwitchHidden, true); err != nil {
				t.Fatal(err)
			}
			if err := st.SetPostHidden(ctx, f.mod, gone, true); err != nil {
				t.Fatal(err)
			}
			f.settle(t)
			if got := sink.to(f.del.Email); len(got) != 0 {
				t.Fatalf("mails before the digest is due: %d", len(got))
			}

			st.SetClock(func() time.Time { return time.Now().Add(25 * time.Hour) })
			f.app.SettleMail()
			m := sink.wait(f.del.Email, 1)[0]
			text := m.Parts["text/plain"]
			threads := map[string]bool{}
			for _, id := range regexp.MustCompile(`/forum/threads/(\d+)-`).FindAllStringSubmatch(text+m.Parts["text/html"], -1) {
				threads[id[1]] = true
			}
			want := map[string]bool{fmt.Sprint(parcel.ID): true, fmt.Sprint(customs.ID): true}
			if fmt.Sprint(threads) != fmt.Sprint(want) {
				t.Errorf("digest links threads %v, want %v\n%s", threads, want, text)
			}
			for _, s := range []string{"Parcel fees", "Customs delays", "The fees doubled in March.", "Test biz (Andes Textiles) replied"} {
				if !strings.Contains(text, s) {
					t.Errorf("digest lacks %q:\n%s", s, text)
				}
			}
			for _, s := range []string{"Soon hidden thread", "will be hidden"} {
				if strings.Contains(text, s) || strings.Contains(m.Parts["text/html"], s) {
					t.Errorf("digest holds %q, which the reader may no longer read", s)
				}
			}
			if !strings.Contains(m.Header.Get("List-Unsubscribe"), ".digest.") {
				t.Errorf("digest List-Unsubscribe = %q", m.Header.Get("List-Unsubscribe"))
			}
			// The digest's own unsubscribe link turns it off.
			link := unsubscribeRe.FindStringSubmatch(m.Header.Get("List-Unsubscribe"))[1]
			if r := f.app.Client().Do(http.MethodPost, link, strings.NewReader("List-Unsubscribe=One-Click"), "application/x-www-form-urlencoded"); r.Status != http.StatusOK {
				t.Fatalf("unsubscribe from the digest: %d", r.Status)
			}
			if p, _ := st.Prefs(ctx, f.del.ID); p.Digest != "off" {
				t.Errorf("digest after unsubscribing: %s, want off", p.Digest)
			}
			if got := len(sink.to(f.del.Email)); got != 1 {
				t.Errorf("digests sent: %d, want 1", got)
			}
		})
	}
}

// TestMailWaitsForSMTP: while the SMTP server is down mails stay in the
// outbox; once it is back they all go out, once each.
func TestMailWaitsForSMTP(t *testing.T) {
	t.Parallel()
	sink := reserveSMTPSink(t)
	f := newMailFixture(t, storetest.SQLite, sink)
	ctx := context.Background()
	th := f.thread(t, f.biz, "Parcel fees", store.OnTheRecord)
	var people []*store.User
	var ids []int64
	for i := range 5 {
		u := f.app.CreateUser(fmt.Sprintf("reader%d@x.example", i), store.RoleMember, "Delegation", store.OrgMember)
		people, ids = append(people, u), append(ids, u.ID)
	}
	f.post(t, th, f.biz, "Calling everyone", ids...)
	f.app.SettleMail()
	if n, _ := f.app.Store.PendingMail(ctx); n != len(people) {
		t.Fatalf("pending mails while SMTP is down: %d, want %d", n, len(people))
	}
	for deadline := time.Now().Add(10 * time.Second); strings.Count(f.app.Logs(), "mail not sent, will retry") < len(people); {
		if time.Now().After(deadline) {
			t.Fatal("the failed attempts were not logged")
		}
		time.Sleep(20 * time.Millisecond)
	}

	sink.start()
	// The retry comes after its back-off; move the clock past it.
	f.app.Store.SetClock(func() time.Time { return time.Now().Add(time.Hour) })
	f.app.SettleMail()
	for _, u := range people {
		sink.wait(u.Email, 1)
	}
	f.settle(t)
	for _, u := range people {
		if got := sink.to(u.Email); len(got) != 1 {
			t.Errorf("%s got %d mails, want 1", u.Email, len(got))
		}
	}
	if n, _ := f.app.Store.PendingMail(ctx); n != 0 {
		t.Errorf("pending mails: %d, want 0", n)
	}
}

// TestMailOnceAcrossInstances: two instances on one Postgres database
// share the outbox; their workers race for it, and every mail is
// delivered exactly once.
func TestMailOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	opts := storetest.Options(t, storetest.Postgres)
	env := map[string]string{"IDEASX_SMTP_URL": sink.URL()}
	a := servertest.NewInstance(t, storetest.OpenOptions(t, opts), env, nil)
	env["IDEASX_BASE_URL"] = a.URL
	b := servertest.NewInstance(t, storetest.OpenOptions(t, opts), env, nil)
	f := &mailFixture{app: a, sink: sink, theme: themeID(t, a)}
	f.biz = a.CreateUser("biz@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	th := f.thread(t, f.biz, "Parcel fees", store.OnTheRecord)
	var ids []int64
	var emails []string
	for i := range 40 {
		u := a.CreateUser(fmt.Sprintf("reader%02d@x.example", i), store.RoleMember, "Delegation", store.OrgMember)
		ids, emails = append(ids, u.ID), append(emails, u.Email)
	}
	// Half the mentions are posted on each instance; both workers are woken
	// and both also run their jobs from here, at the same time.
	if _, err := a.Store.CreatePost(context.Background(), store.NewPost{ThreadID: th.ID, Author: f.biz, Body: "first half", HTML: "<p>x</p>", Mentions: ids[:20]}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.CreatePost(context.Background(), store.NewPost{ThreadID: th.ID, Author: f.biz, Body: "second half", HTML: "<p>x</p>", Mentions: ids[20:]}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, app := range []*servertest.App{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := app.Server.RunMailJobs(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, e := range emails {
		sink.wait(e, 1)
	}
	time.Sleep(time.Second)
	for _, e := range emails {
		if got := len(sink.to(e)); got != 1 {
			t.Errorf("%s got %d mails, want 1", e, got)
		}
	}
	if n, _ := a.Store.PendingMail(context.Background()); n != 0 {
		t.Errorf("pending mails: %d, want 0", n)
	}
	if got := sink.count(); got != len(emails) {
		t.Errorf("%d mails delivered, want %d", got, len(emails))
	}
}

// TestMailGivenUp: a mail that fails ten times, each after its back-off,
// leaves the queue with its error and an error in the log.
func TestMailGivenUp(t *testing.T) {
	t.Parallel()
	sink := reserveSMTPSink(t) // never started
	f := newMailFixture(t, storetest.SQLite, sink)
	ctx := context.Background()
	th := f.thread(t, f.biz, "Parcel fees", store.OnTheRecord)
	f.post(t, th, f.biz, "Calling the delegation", f.del.ID)
	start := time.Now()
	for i := 1; ; i++ {
		// Each back-off is at most an hour.
		at := start.Add(time.Duration(i) * 2 * time.Hour)
		f.app.Store.SetClock(func() time.Time { return at })
		f.app.SettleMail()
		n, err := f.app.Store.PendingMail(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			if i < 5 {
				t.Fatalf("given up after %d rounds, want ten attempts", i)
			}
			break
		}
		if i > 12 {
			t.Fatalf("still pending after %d rounds", i)
		}
	}
	if got := strings.Count(f.app.Logs(), "mail not sent, will retry"); got != 9 {
		t.Errorf("%d retries logged, want 9", got)
	}
	if !strings.Contains(f.app.Logs(), `"level":"ERROR","msg":"mail given up"`) {
		t.Error("giving up was not logged as an error")
	}
}

// TestMailToRefusedRecipientGivenUp: a recipient the SMTP server refuses
// for good (550) is not tried again for hours; the other mails go out.
func TestMailToRefusedRecipientGivenUp(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	sink.refused = map[string]bool{"del@chile.example": true}
	f := newMailFixture(t, storetest.SQLite, sink)
	th := f.thread(t, f.biz, "Parcel fees", store.OnTheRecord)
	f.post(t, th, f.mod, "Calling the delegation and the business", f.del.ID, f.biz.ID)
	f.app.SettleMail()
	sink.wait(f.biz.Email, 1)
	if n, err := f.app.Store.PendingMail(context.Background()); err != nil || n != 0 {
		t.Errorf("pending mails after a 550: %d (%v), want 0", n, err)
	}
	logs := f.app.Logs()
	if !strings.Contains(logs, `"level":"ERROR","msg":"mail given up"`) || !strings.Contains(logs, "No such mailbox") {
		t.Error("giving up on the refused recipient was not logged as an error with the server's answer")
	}
	if strings.Contains(logs, "mail not sent, will retry") {
		t.Error("a refused recipient was scheduled for another attempt")
	}
}

// TestResetMailWaitsForSMTP: a password reset asked while SMTP is down is
// not lost: it waits in the outbox and goes out once SMTP is back, and its
// one-time link does not stay in the table after that.
func TestResetMailWaitsForSMTP(t *testing.T) {
	t.Parallel()
	sink := reserveSMTPSink(t)
	f := newMailFixture(t, storetest.SQLite, sink)
	ctx := context.Background()
	if r := f.app.Client().Post("/reset", url.Values{"email": {f.del.Email}}); r.Status != http.StatusOK {
		t.Fatalf("reset request: %d", r.Status)
	}
	f.app.SettleMail()
	if n, _ := f.app.Store.PendingMail(ctx); n != 1 {
		t.Fatalf("pending mails while SMTP is down: %d, want 1", n)
	}
	sink.start()
	f.app.Store.SetClock(func() time.Time { return time.Now().Add(time.Hour) })
	f.app.SettleMail()
	got := sink.wait(f.del.Email, 1)[0]
	if !strings.Contains(got.Parts["text/plain"], "/reset/") {
		t.Errorf("the reset mail lacks its link:\n%s", got.Parts["text/plain"])
	}
	var left int
	if err := f.app.Store.DB().QueryRowContext(ctx, `SELECT count(*) FROM mail_outbox WHERE payload LIKE '%/reset/%'`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d sent mails still hold a reset link", left)
	}
}
