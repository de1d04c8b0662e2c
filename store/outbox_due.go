package store

import (
	"context"
	"fmt"
	"time"
)

// NextMailDue says when the next unsent, unclaimed mail is due (the zero
// time when none waits), so that a worker reads instead of writing while
// the outbox is empty, and sleeps until a retry comes due.
func (s *Store) NextMailDue(ctx context.Context) (time.Time, error) {
	now := s.now()
	var at []time.Time
	// Mails under another worker's lease are left out: the lease runs
	// out within minutes and the worker's periodic look finds them then.
	if err := s.selectAll(ctx, s.db, &at, `SELECT next_attempt_at FROM mail_outbox
		WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY next_attempt_at LIMIT 1`, now); err != nil {
		return time.Time{}, fmt.Errorf("next mail due: %w", err)
	}
	if len(at) == 0 {
		return time.Time{}, nil
	}
	if at[0].Before(now) {
		return now, nil
	}
	return at[0].UTC(), nil
}

// MailAbandoned gives up on a mail the worker claimed: it leaves the queue
// (sent_at marks it done with) and last_error says why it was not sent.
func (s *Store) MailAbandoned(ctx context.Context, id int64, worker string, cause error) error {
	if _, err := s.exec(ctx, s.db, `UPDATE mail_outbox SET sent_at = ?, claimed_until = NULL, last_error = ?, `+wipeAccountMail+`
		WHERE id = ? AND claimed_by = ?`, s.now(), "abandoned: "+cause.Error(), id, worker); err != nil {
		return fmt.Errorf("mail abandoned: %w", err)
	}
	return nil
}

// MailInFlight counts mails a worker has claimed and not yet finished.
func (s *Store) MailInFlight(ctx context.Context) (int, error) {
	var n int
	err := s.get(ctx, s.db, &n, `SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND claimed_until > ?`, s.now())
	return n, err
}
