// Package mail sends e-mail through SMTP, or writes it to the log when no
// SMTP server is configured, so that the product works either way.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail to one person.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string // optional alternative
	// Headers are extra header fields, already formatted (ASCII), such as
	// List-Unsubscribe and List-Unsubscribe-Post.
	Headers map[string]string
	// Calendar is an iCalendar invitation (RFC 6047) sent with the mail as
	// invite.ics, whose METHOD is CalendarMethod (REQUEST or CANCEL), so
	// that mail clients offer to add, update or remove the meeting.
	Calendar       string
	CalendarMethod string
	// MessageID is the Message-ID without its angle brackets, set when the
	// mail is built so that a retry sends the same one (see NewMessageID);
	// when empty, Send makes one at the domain of the From address.
	MessageID string
}

// NewMessageID is a unique Message-ID at domain (the site's own, from its
// base URL, rather than the name of whichever machine sends).
func NewMessageID(domain string) string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:])) + "@" + domain
}

// headerNames lists h's names in a stable order.
func headerNames(h map[string]string) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ErrRecipientRefused marks a send that the SMTP server refused for good
// because of its recipient (a 5xx answer to RCPT TO, such as 550 "no such
// mailbox"): trying again later would only be refused again. Other
// permanent answers, such as a refused login, are about the configuration
// and every mail; they stay retried so that nothing is lost while it is fixed.
var ErrRecipientRefused = errors.New("mail: recipient refused")

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrNoSTARTTLS marks a send refused before anything was sent because an
// smtp:// server offered no STARTTLS: the mail (a reset link, say) would
// have crossed the network in clear text.
var ErrNoSTARTTLS = errors.New("mail: the SMTP server offers no STARTTLS, and smtp:// never sends in clear text: use smtps://, a server with STARTTLS, or smtp+insecure:// for a relay on this machine or network")

// Option adjusts an SMTP sender.
type Option func(*options)

type options struct{ tls *tls.Config }

// WithTLSConfig sets the TLS configuration (trusted roots, server name), for
// a relay with a private certificate authority, and for tests.
func WithTLSConfig(c *tls.Config) Option { return func(o *options) { o.tls = c } }

// New returns an SMTP sender for smtpURL, or a log sender when it is empty.
// The schemes:
//
//   - smtp://user:pass@host:port requires STARTTLS: a server that does not
//     offer it gets nothing, and each attempt fails with ErrNoSTARTTLS
//     (the mail stays in the outbox). Port 25 by default.
//   - smtps://… is TLS from the first byte. Port 465 by default.
//   - smtp+insecure://… sends in clear text, for a relay on the same
//     machine or private network (a local Postfix, Mailpit). Port 25 by
//     default. A loopback host gets no exception under smtp://: what a URL
//     does should not depend on where it points.
func New(smtpURL, from string, log *slog.Logger, opt ...Option) (Sender, error) {
	if smtpURL == "" {
		return &LogSender{Log: log}, nil
	}
	u, err := url.Parse(smtpURL)
	if err != nil {
		return nil, fmt.Errorf("mail: parse SMTP URL: %w", err)
	}
	var o options
	for _, f := range opt {
		f(&o)
	}
	opts := []gomail.Option{gomail.WithTimeout(15 * time.Second)}
	switch u.Scheme {
	case "smtp":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithPort(25))
	case "smtps":
		opts = append(opts, gomail.WithSSL(), gomail.WithPort(465))
	case "smtp+insecure":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS), gomail.WithPort(25))
	default:
		return nil, fmt.Errorf("mail: SMTP URL scheme must be smtp, smtps or smtp+insecure, not %q", u.Scheme)
	}
	if o.tls != nil {
		opts = append(opts, gomail.WithTLSConfig(o.tls))
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("mail: SMTP port %q: %w", p, err)
		}
		opts = append(opts, gomail.WithPort(n))
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	client, err := gomail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return &SMTPSender{client: client, from: from}, nil
}

// SMTPSender sends through an SMTP server with github.com/wneessen/go-mail.
type SMTPSender struct {
	client *gomail.Client
	from   string
}

// Send delivers m.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail: to: %w", err)
	}
	msg.Subject(m.Subject)
	id := m.MessageID
	if id == "" {
		id = NewMessageID(domainOf(s.from))
	}
	msg.SetMessageIDWithValue(id)
	msg.SetDate()
	// RFC 3834: no out-of-office answers to the site's mails.
	msg.SetGenHeaderPreformatted("Auto-Submitted", "auto-generated")
	for _, k := range headerNames(m.Headers) {
		// Preformatted values go out as they are: a line break would start a header of its own.
		if strings.ContainsAny(k+m.Headers[k], "\r\n") {
			return fmt.Errorf("mail: header %q holds a line break", k)
		}
		msg.SetGenHeaderPreformatted(gomail.Header(k), m.Headers[k])
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	if m.Calendar != "" {
		ct := gomail.ContentType("text/calendar; method=" + m.CalendarMethod)
		if err := msg.AttachReader("invite.ics", strings.NewReader(m.Calendar), gomail.WithFileContentType(ct)); err != nil {
			return fmt.Errorf("mail: invitation: %w", err)
		}
	}
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		// go-mail v0.8.1 says so only in words (TLSMandatory and no
		// STARTTLS in the server's EHLO); the test of this package holds
		// the wording in place.
		if strings.Contains(err.Error(), "does not support STARTTLS") {
			return fmt.Errorf("%w (%s)", ErrNoSTARTTLS, err)
		}
		var se *gomail.SendError
		if errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && se.ErrorCode()/100 == 5 {
			return fmt.Errorf("%w: %w", ErrRecipientRefused, err)
		}
		return fmt.Errorf("mail: send: %w", err)
	}
	return nil
}

// domainOf is the domain of an address such as "Site <noreply@x.org>".
func domainOf(addr string) string {
	addr = strings.TrimSuffix(strings.TrimSpace(addr), ">")
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return addr[i+1:]
	}
	return "localhost"
}

// LogSender writes mail to the log instead of sending it.
type LogSender struct{ Log *slog.Logger }

// Send logs m whole, links included, so that a person running the server
// without SMTP can still follow an invitation or a reset link.
func (s *LogSender) Send(ctx context.Context, m Message) error {
	attrs := []any{"to", m.To, "subject", m.Subject, "body", m.Text, "html", m.HTML != ""}
	if m.Calendar != "" {
		attrs = append(attrs, "calendar", m.Calendar)
	}
	if len(m.Headers) > 0 {
		var hs []any
		for _, k := range headerNames(m.Headers) {
			hs = append(hs, slog.String(k, m.Headers[k]))
		}
		attrs = append(attrs, slog.Group("headers", hs...))
	}
	s.Log.InfoContext(ctx, "mail not sent (no SMTP configured)", attrs...)
	return nil
}
