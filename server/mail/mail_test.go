package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// testServer is an SMTP server in the test process, with STARTTLS or without.
type testServer struct {
	addr string
	mu   sync.Mutex
	got  []received
}

type received struct {
	header mail.Header
	tls    bool
}

type testBackend struct{ s *testServer }

func (b testBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &testSession{s: b.s, c: c}, nil
}

type testSession struct {
	s *testServer
	c *smtp.Conn
}

func (t *testSession) Reset()                               {}
func (t *testSession) Logout() error                        { return nil }
func (t *testSession) Mail(string, *smtp.MailOptions) error { return nil }
func (t *testSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (t *testSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, m.Body)
	_, tlsOn := t.c.TLSConnectionState()
	t.s.mu.Lock()
	t.s.got = append(t.s.got, received{header: m.Header, tls: tlsOn})
	t.s.mu.Unlock()
	return nil
}

// startServer listens on a free port; with cert, it offers STARTTLS.
func startServer(t *testing.T, cert *tls.Certificate) *testServer {
	t.Helper()
	ts := &testServer{}
	srv := smtp.NewServer(testBackend{ts})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return ts
}

func (ts *testServer) mails() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.got...)
}

// selfSigned is a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func send(t *testing.T, url string, m Message, opt ...Option) error {
	t.Helper()
	s, err := New(url, "Ideas Exchange <noreply@ideas.example.org>", slog.New(slog.DiscardHandler), opt...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Send(ctx, m)
}

var testMessage = Message{To: "ana@example.org", Subject: "Reset", Text: "https://ideas.example.org/reset/secret"}

// TestSMTPRequiresSTARTTLS: smtp:// sends nothing to a server without
// STARTTLS, whatever the address (loopback included); smtp+insecure:// is
// the explicit way to a local relay.
func TestSMTPRequiresSTARTTLS(t *testing.T) {
	plain := startServer(t, nil)
	err := send(t, "smtp://"+plain.addr, testMessage)
	if !errors.Is(err, ErrNoSTARTTLS) {
		t.Fatalf("smtp:// to a server without STARTTLS: got %v, want ErrNoSTARTTLS", err)
	}
	if !strings.Contains(err.Error(), "smtp+insecure://") {
		t.Errorf("the error does not say what to do: %v", err)
	}
	if n := len(plain.mails()); n != 0 {
		t.Fatalf("the server received %d mails in clear text", n)
	}

	if err := send(t, "smtp+insecure://"+plain.addr, testMessage); err != nil {
		t.Fatalf("smtp+insecure://: %v", err)
	}
	if got := plain.mails(); len(got) != 1 || got[0].tls {
		t.Fatalf("smtp+insecure://: got %+v, want one mail in clear", got)
	}

	cert, pool := selfSigned(t)
	secure := startServer(t, cert)
	if err := send(t, "smtp://"+secure.addr, testMessage, WithTLSConfig(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})); err != nil {
		t.Fatalf("smtp:// with STARTTLS: %v", err)
	}
	if got := secure.mails(); len(got) != 1 || !got[0].tls {
		t.Fatalf("smtp:// with STARTTLS: got %+v, want one mail over TLS", got)
	}
	// An untrusted certificate is no better than none.
	if err := send(t, "smtp://"+secure.addr, testMessage); err == nil {
		t.Error("smtp:// accepted a certificate nobody trusts")
	}
	if _, err := New("smtpx://"+secure.addr, "a@b", slog.New(slog.DiscardHandler)); err == nil {
		t.Error("an unknown scheme was accepted")
	}
}

// TestHeaders: the Message-ID is at the site's domain, never the machine's
// name; every mail says it is automatic; extra headers go out as given.
func TestHeaders(t *testing.T) {
	plain := startServer(t, nil)
	m := testMessage
	given := NewMessageID("ideas.example.org")
	m.MessageID = given
	m.Headers = map[string]string{"Content-Language": "fr", "In-Reply-To": "<thread-7@ideas.example.org>"}
	if err := send(t, "smtp+insecure://"+plain.addr, m); err != nil {
		t.Fatal(err)
	}
	m.MessageID = ""
	if err := send(t, "smtp+insecure://"+plain.addr, m); err != nil {
		t.Fatal(err)
	}
	got := plain.mails()
	if len(got) != 2 {
		t.Fatalf("got %d mails", len(got))
	}
	if id := got[0].header.Get("Message-Id"); id != "<"+given+">" || !strings.HasSuffix(given, "@ideas.example.org") {
		t.Errorf("Message-ID: got %q, want <%s>", id, given)
	}
	// Without one, the From address's domain, not the host name.
	if id := got[1].header.Get("Message-Id"); !strings.HasSuffix(id, "@ideas.example.org>") {
		t.Errorf("default Message-ID: %q", id)
	}
	for _, r := range got {
		if r.header.Get("Auto-Submitted") != "auto-generated" || r.header.Get("Content-Language") != "fr" || r.header.Get("In-Reply-To") != "<thread-7@ideas.example.org>" {
			t.Errorf("headers: %v", r.header)
		}
	}
}
