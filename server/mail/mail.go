// Package mail sends e-mail through SMTP, or writes it to the log when no
// SMTP server is configured, so that the product works either way.
package mail

import (
	"context"
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

// New returns an SMTP sender for smtpURL, or a log sender when it is empty.
// The URL is smtp://user:pass@host:port (STARTTLS when offered) or
// smtps://… (TLS from the start).
func New(smtpURL, from string, log *slog.Logger) (Sender, error) {
	if smtpURL == "" {
		return &LogSender{Log: log}, nil
	}
	u, err := url.Parse(smtpURL)
	if err != nil {
		return nil, fmt.Errorf("mail: parse SMTP URL: %w", err)
	}
	opts := []gomail.Option{gomail.WithTimeout(15 * time.Second)}
	switch u.Scheme {
	case "smtp":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic), gomail.WithPort(25))
	case "smtps":
		opts = append(opts, gomail.WithSSL(), gomail.WithPort(465))
	default:
		return nil, fmt.Errorf("mail: SMTP URL scheme must be smtp or smtps, not %q", u.Scheme)
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
	msg.SetMessageID()
	msg.SetDate()
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
		var se *gomail.SendError
		if errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && se.ErrorCode()/100 == 5 {
			return fmt.Errorf("%w: %w", ErrRecipientRefused, err)
		}
		return fmt.Errorf("mail: send: %w", err)
	}
	return nil
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
