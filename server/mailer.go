package server

import (
	"context"
	"errors"
	"time"

	"ideasx/server/mail"
	"ideasx/store"
)

// The mail worker sends what the outbox holds. Every instance runs one;
// store.ClaimMail hands each mail to one worker at a time, for a lease. A
// mail is built when it is sent, from the data as it is then, and marked
// sent after the SMTP server took it: delivery is at least once (a worker
// that dies between the two leaves the mail to be sent again when its
// lease ends), and a failure is retried with back-off, unless the SMTP
// server refused the recipient for good.
const (
	mailPoll     = 5 * time.Second  // how often the outbox is looked at when nothing wakes the worker
	mailLease    = 2 * time.Minute  // how long a claimed mail is left to its worker
	mailBatch    = 20               // mails claimed at once
	mailMaxTries = 10               // attempts before a mail is given up
	mailMaxWait  = time.Hour        // longest back-off between attempts
	mailSendTime = 90 * time.Second // building and sending one mail; less than the lease
	digestEvery  = time.Minute      // how often due digests are queued
)

// mailBackoff is the wait after a failed attempt: 30 s, 1 min, 2 min, …,
// at most an hour.
func mailBackoff(attempts int) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	if attempts > 8 {
		return mailMaxWait
	}
	return min(30*time.Second<<(attempts-1), mailMaxWait)
}

type mailWorker struct {
	s    *Server
	id   string
	kick chan struct{}
	// lastDigests is when this worker last queued due digests (its loop only).
	lastDigests time.Time
	cancel      context.CancelFunc
	done        chan struct{}
}

func newMailWorker(s *Server, id string) *mailWorker {
	return &mailWorker{s: s, id: id, kick: make(chan struct{}, 1)}
}

// committed wakes the worker when a committed change notified someone, so
// that a mention's mail leaves within a moment rather than at the next look.
func (m *mailWorker) committed(evs []store.LiveEvent) {
	for _, ev := range evs {
		if ev.Type == "notification" {
			m.wake()
			return
		}
	}
}

// wake makes the worker look at the outbox now.
func (m *mailWorker) wake() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

func (m *mailWorker) start() {
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.done = cancel, make(chan struct{})
	go func() {
		defer close(m.done)
		m.run(ctx)
	}()
}

// stop ends the loop, waiting for the mail being sent at most until ctx ends.
func (m *mailWorker) stop(ctx context.Context) {
	m.cancel()
	select {
	case <-m.done:
	case <-ctx.Done():
	}
}

func (m *mailWorker) run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.kick:
		case <-timer.C:
		}
		if time.Since(m.lastDigests) >= digestEvery {
			m.lastDigests = time.Now()
			m.queueDigests(ctx)
		}
		timer.Reset(m.drain(ctx))
	}
}

func (m *mailWorker) queueDigests(ctx context.Context) {
	n, err := m.s.store.QueueDueDigests(ctx)
	if err != nil && ctx.Err() == nil {
		m.s.log.Warn("queue digests", "error", err)
	}
	if n > 0 {
		m.s.log.Info("digests queued", "count", n)
	}
	n, err = m.s.store.QueueDueEventReminders(ctx)
	if err != nil && ctx.Err() == nil {
		m.s.log.Warn("queue meeting reminders", "error", err)
	}
	if n > 0 {
		m.s.log.Info("meeting reminders queued", "count", n)
	}
}

// drain sends every mail that is due and says how long to wait before
// looking again.
func (m *mailWorker) drain(ctx context.Context) time.Duration {
	for ctx.Err() == nil {
		due, err := m.s.store.NextMailDue(ctx)
		if err != nil {
			if ctx.Err() == nil {
				m.s.log.Warn("mail outbox", "error", err)
			}
			return mailPoll
		}
		now := m.s.store.Now()
		if due.IsZero() {
			return mailPoll
		}
		if due.After(now) {
			return min(due.Sub(now), mailPoll)
		}
		n, err := m.sendBatch(ctx)
		if err != nil {
			if ctx.Err() == nil {
				m.s.log.Warn("claim mail", "error", err)
			}
			return mailPoll
		}
		if n == 0 {
			// Due, yet taken by another worker meanwhile.
			return mailPoll
		}
	}
	return mailPoll
}

// sendBatch claims due mails and sends them, and returns how many it claimed.
func (m *mailWorker) sendBatch(ctx context.Context) (int, error) {
	mails, err := m.s.store.ClaimMail(ctx, m.id, mailBatch, mailLease)
	if err != nil {
		return 0, err
	}
	for i := range mails {
		if ctx.Err() != nil {
			// Shutting down: hand the rest back at once rather than at the end of the lease.
			m.release(mails[i:])
			break
		}
		m.deliver(ctx, &mails[i])
	}
	return len(mails), nil
}

var errShutdown = errors.New("instance shut down before sending")

func (m *mailWorker) release(mails []store.OutboxMail) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, om := range mails {
		if err := m.s.store.MailFailed(ctx, om.ID, m.id, errShutdown, m.s.store.Now()); err != nil {
			m.s.log.Warn("release mail", "outbox_id", om.ID, "error", err)
		}
	}
}

// deliver builds, sends and marks one mail. A mail being sent when the
// server stops is finished: stopping mid-way would only send it twice.
func (m *mailWorker) deliver(ctx context.Context, om *store.OutboxMail) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), mailSendTime)
	defer cancel()
	log := m.s.log.With("outbox_id", om.ID, "kind", om.Kind, "attempt", om.Attempts)
	msg, ok, err := m.s.outboxMail(ctx, om)
	if err == nil && ok {
		err = m.s.mail.Send(ctx, msg)
	}
	if err != nil {
		if om.Attempts >= mailMaxTries || errors.Is(err, mail.ErrRecipientRefused) {
			log.Error("mail given up", "error", err)
			if err := m.s.store.MailAbandoned(ctx, om.ID, m.id, err); err != nil {
				log.Warn("mail given up", "error", err)
			}
			return
		}
		retry := m.s.store.Now().Add(mailBackoff(om.Attempts))
		if errors.Is(err, mail.ErrNoSTARTTLS) {
			// A configuration to fix, not a passing failure: said at
			// error level, each time, until the operator does.
			log.Error("mail not sent: the SMTP server offers no STARTTLS and smtp:// refuses clear text; use smtps://, enable STARTTLS, or smtp+insecure:// for a local relay", "error", err, "retry_at", retry)
		} else {
			log.Warn("mail not sent, will retry", "error", err, "retry_at", retry)
		}
		if err := m.s.store.MailFailed(ctx, om.ID, m.id, err, retry); err != nil {
			log.Warn("mail failed", "error", err)
		}
		return
	}
	if err := m.s.store.MailSent(ctx, om.ID, m.id); err != nil {
		log.Warn("mail sent", "error", err)
		return
	}
	if ok {
		log.Debug("mail sent")
	} else {
		log.Debug("mail skipped: nothing its recipient may still read")
	}
}

// RunMailJobs queues the digests that are due and sends every mail that is
// due, now, in the caller's goroutine. The worker does the same on its own;
// tests and tools call this instead of waiting for it.
func (s *Server) RunMailJobs(ctx context.Context) error {
	if _, err := s.store.QueueDueDigests(ctx); err != nil {
		return err
	}
	if _, err := s.store.QueueDueEventReminders(ctx); err != nil {
		return err
	}
	for {
		due, err := s.store.NextMailDue(ctx)
		if err != nil {
			return err
		}
		if due.IsZero() || due.After(s.store.Now()) {
			return nil
		}
		n, err := s.mailer.sendBatch(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}
