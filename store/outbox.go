package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Outbox mail kinds besides the notification kinds: the digest, built at
// send time, and mails about an account (registration, invitation, reset),
// queued ready to send.
const (
	MailDigest  = "digest"
	MailAccount = "account"
	// MailModerationSummary is a moderator's daily summary of the
	// moderators' kinds they chose to receive so (ChannelDigest).
	MailModerationSummary = "moderation_summary"
)

// wipeAccountMail empties an account mail once it is out of the queue: it
// carries a one-time link, which should not outlive its sending.
const wipeAccountMail = `payload = CASE WHEN kind = 'account' THEN '{}' ELSE payload END`

// QueueAccountMail queues a ready-made mail about an account that no
// change goes with (an address registering again). msg is kept as JSON
// until it is sent or given up, then wiped.
func (s *Store) QueueAccountMail(ctx context.Context, msg any) error {
	return s.queueAccountMails(ctx, s.db, []any{msg})
}

// queueAccountMails queues, in the caller's transaction, the mails that
// announce what it writes: an invitation, a reset link, a registration.
func (s *Store) queueAccountMails(ctx context.Context, q querier, msgs []any) error {
	now := s.now()
	for _, msg := range msgs {
		body, err := json.Marshal(msg)
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, q, `INSERT INTO mail_outbox (kind, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?)`,
			MailAccount, string(body), now, now); err != nil {
			return fmt.Errorf("queue account mail: %w", err)
		}
	}
	return nil
}

// OutboxMail is one queued e-mail. What it says is built when it is sent,
// from the data as it is then, so it never carries what its recipient may
// no longer read.
type OutboxMail struct {
	ID             int64     `db:"id"`
	UserID         *int64    `db:"user_id"`
	Kind           string    `db:"kind"`
	NotificationID *int64    `db:"notification_id"`
	Payload        string    `db:"payload"`
	Attempts       int       `db:"attempts"`
	CreatedAt      time.Time `db:"created_at"`
}

// DigestPayload is the window a digest covers.
type DigestPayload struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

func (s *Store) queueMail(ctx context.Context, q querier, userID int64, kind string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	now := s.now()
	if _, err := s.exec(ctx, q, `INSERT INTO mail_outbox (user_id, kind, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)`,
		userID, kind, string(body), now, now); err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	return nil
}

// ClaimMail takes up to n mails that are due, for worker, for lease: no
// other worker takes them meanwhile, on any instance. On Postgres rows
// another worker is claiming are skipped rather than waited for.
func (s *Store) ClaimMail(ctx context.Context, worker string, n int, lease time.Duration) ([]OutboxMail, error) {
	now := s.now()
	lock := ""
	if s.dialect.name() == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []OutboxMail
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.selectAll(ctx, tx, &out, `UPDATE mail_outbox SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_at <= ?
				AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?`+lock+`)
			RETURNING id, user_id, kind, notification_id, payload, attempts, created_at`,
			worker, now.Add(lease), now, now, n)
	})
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	return out, nil
}

// MailSent records that worker sent (or rightly skipped) a mail it claimed.
func (s *Store) MailSent(ctx context.Context, id int64, worker string) error {
	if _, err := s.exec(ctx, s.db, `UPDATE mail_outbox SET sent_at = ?, claimed_until = NULL, `+wipeAccountMail+` WHERE id = ? AND claimed_by = ?`,
		s.now(), id, worker); err != nil {
		return fmt.Errorf("mail sent: %w", err)
	}
	return nil
}

// MailFailed puts a mail back in the queue for a later attempt.
func (s *Store) MailFailed(ctx context.Context, id int64, worker string, cause error, retryAt time.Time) error {
	if _, err := s.exec(ctx, s.db, `UPDATE mail_outbox SET claimed_until = NULL, next_attempt_at = ?, last_error = ?
		WHERE id = ? AND claimed_by = ?`, retryAt.UTC(), cause.Error(), id, worker); err != nil {
		return fmt.Errorf("mail failed: %w", err)
	}
	return nil
}

// PendingMail counts mails not sent yet (for tests and metrics).
func (s *Store) PendingMail(ctx context.Context) (int, error) {
	var n int
	err := s.get(ctx, s.db, &n, `SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL`)
	return n, err
}

// QueueDueDigests queues a digest for everyone whose daily or weekly one is
// due, and returns how many. Each is a compare-and-set on the time of the
// last digest, so instances running this at once queue each digest once.
func (s *Store) QueueDueDigests(ctx context.Context) (int, error) {
	now := s.now()
	var due []struct {
		ID     int64      `db:"id"`
		Digest string     `db:"digest"`
		Last   *time.Time `db:"digest_sent_at"`
	}
	if err := s.selectAll(ctx, s.db, &due, `SELECT id, digest, digest_sent_at FROM users
		WHERE status = 'active' AND ((digest = 'daily' AND (digest_sent_at IS NULL OR digest_sent_at <= ?))
			OR (digest = 'weekly' AND (digest_sent_at IS NULL OR digest_sent_at <= ?)))`,
		now.Add(-24*time.Hour), now.Add(-7*24*time.Hour)); err != nil {
		return 0, fmt.Errorf("due digests: %w", err)
	}
	queued := 0
	for _, u := range due {
		period := 7 * 24 * time.Hour
		if u.Digest == "daily" {
			period = 24 * time.Hour
		}
		from := now.Add(-period)
		if u.Last != nil {
			from = *u.Last
		}
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			q, args := `UPDATE users SET digest_sent_at = ? WHERE id = ? AND digest_sent_at IS NULL`, []any{now, u.ID}
			if u.Last != nil {
				q, args = `UPDATE users SET digest_sent_at = ? WHERE id = ? AND digest_sent_at = ?`, []any{now, u.ID, *u.Last}
			}
			n, err := s.exec(ctx, tx, q, args...)
			if err != nil || n == 0 {
				return err
			}
			queued++
			return s.queueMail(ctx, tx, u.ID, MailDigest, DigestPayload{From: from, To: now})
		})
		if err != nil {
			return queued, fmt.Errorf("queue digest: %w", err)
		}
	}
	n, err := s.queueModerationSummaries(ctx, now)
	return queued + n, err
}

// InModerationSummary reports whether notices of kind k, when their
// recipient chose ChannelDigest for them, go to the moderator's daily
// summary rather than to the digest: what waits on a moderator's action
// cannot wait a week.
func (k NotificationKind) InModerationSummary() bool {
	return k == NotifyPendingAccount || k == NotifyNewFlag
}

// moderationSummaryKindsSQL lists the kinds of the summary as SQL literals.
func moderationSummaryKindsSQL() string {
	var out []string
	for _, k := range NotificationKinds {
		if k.InModerationSummary() {
			out = append(out, sqlLiteral(string(k)))
		}
	}
	return strings.Join(out, ", ")
}

// queueModerationSummaries queues the daily summary of every moderator
// who chose one for a moderators' kind, on its own clock: it is daily
// whatever the person's digest is.
func (s *Store) queueModerationSummaries(ctx context.Context, now time.Time) (int, error) {
	var due []struct {
		ID   int64      `db:"id"`
		Last *time.Time `db:"moderation_summary_sent_at"`
	}
	if err := s.selectAll(ctx, s.db, &due, `SELECT id, moderation_summary_sent_at FROM users u
		WHERE status = 'active' AND role IN ('moderator', 'admin')
		AND (moderation_summary_sent_at IS NULL OR moderation_summary_sent_at <= ?)
		AND EXISTS (SELECT 1 FROM notification_prefs p WHERE p.user_id = u.id AND p.kind IN (`+moderationSummaryKindsSQL()+`) AND p.channel = 'digest')`,
		now.Add(-24*time.Hour)); err != nil {
		return 0, fmt.Errorf("due moderation summaries: %w", err)
	}
	queued := 0
	for _, u := range due {
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			q, args := `UPDATE users SET moderation_summary_sent_at = ? WHERE id = ? AND moderation_summary_sent_at IS NULL`, []any{now, u.ID}
			if u.Last != nil {
				q, args = `UPDATE users SET moderation_summary_sent_at = ? WHERE id = ? AND moderation_summary_sent_at = ?`, []any{now, u.ID, *u.Last}
			}
			n, err := s.exec(ctx, tx, q, args...)
			if err != nil || n == 0 || u.Last == nil {
				// The first time only starts the clock: the summary comes a
				// day after it was chosen, not at once.
				return err
			}
			from := *u.Last
			queued++
			return s.queueMail(ctx, tx, u.ID, MailModerationSummary, DigestPayload{From: from, To: now})
		})
		if err != nil {
			return queued, fmt.Errorf("queue moderation summary: %w", err)
		}
	}
	return queued, nil
}

// Secret returns the site's named secret, made on first use and the same
// for every instance (it signs links that must work whichever one answers).
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	if _, err := s.exec(ctx, s.db, `INSERT INTO app_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
		name, hex.EncodeToString(b[:])); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	var v string
	if err := s.get(ctx, s.db, &v, `SELECT value FROM app_secrets WHERE name = ?`, name); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return hex.DecodeString(v)
}
