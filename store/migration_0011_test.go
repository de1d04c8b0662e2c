package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ideasx/store"
	"ideasx/store/storetest"
)

// TestMigration0011OnExistingData runs the data part of migration 0011
// (notices pointed at their change, preferences sorted into choices and
// stored defaults) on rows as they were before it, on both engines.
func TestMigration0011OnExistingData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		db := s.DB()
		theme := firstTheme(t, s)
		biz := mustUser(t, s, "biz@x.org", store.RoleBusiness, "Firm")
		mod := mustUser(t, s, "mod@x.org", store.RoleModerator, "Secretariat")
		th := newThread(t, s, biz, theme.ID, "Certificates")
		for _, to := range []store.ChallengeStatus{store.StatusClosed, store.StatusOpen} {
			if err := s.ChangeChallengeStatus(ctx, mod, th.ID, store.StatusRequest{To: to}); err != nil {
				t.Fatal(err)
			}
		}
		// Before 0011 a status notice pointed at nothing, and the settings
		// form stored every kind.
		if _, err := db.ExecContext(ctx, `UPDATE notifications SET subject_id = NULL WHERE kind = 'status'`); err != nil {
			t.Fatal(err)
		}
		old := map[*store.User]map[string]string{
			mod: {"pending_account": "inapp", "new_flag": "off", "mention": "email"},
			biz: {"reply": "off", "mention": "email", "new_thread": "digest", "status": "inapp"},
		}
		for u, prefs := range old {
			for kind, ch := range prefs {
				if _, err := db.ExecContext(ctx, rebind(s, `INSERT INTO notification_prefs (user_id, kind, channel) VALUES (?, ?, ?)`), u.ID, kind, ch); err != nil {
					t.Fatal(err)
				}
			}
		}

		raw, err := os.ReadFile(filepath.Join("migrations", s.Engine(), "0011_notice_changes.sql"))
		if err != nil {
			t.Fatal(err)
		}
		data, _, ok := strings.Cut(string(raw), "ALTER TABLE")
		if !ok {
			t.Fatal("migration 0011 has no ALTER TABLE to stop before")
		}
		for _, stmt := range strings.Split(data, ";") {
			if strings.TrimSpace(stripComments(stmt)) == "" {
				continue
			}
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}

		notices := noticesOf(t, s, biz.ID, store.NotifyStatus)
		want := [][2]string{{"open", "closed"}, {"closed", "open"}}
		if len(notices) != 2 {
			t.Fatalf("%d status notices, want 2", len(notices))
		}
		for i, n := range notices {
			if from, to := statusOf(n.Change.From), statusOf(n.Change.To); from != want[i][0] || to != want[i][1] {
				t.Errorf("old notice %d now tells %s → %s, want %s → %s", i, from, to, want[i][0], want[i][1])
			}
		}

		for u, want := range map[*store.User]map[store.NotificationKind]store.Channel{
			// A stored old default follows the new one; a choice stays.
			mod: {store.NotifyPendingAccount: store.ChannelEmail, store.NotifyNewFlag: store.ChannelOff, store.NotifyMention: store.ChannelEmail},
			// Replies turned off stay off, in their own threads too.
			biz: {store.NotifyReply: store.ChannelOff, store.NotifyThreadReply: store.ChannelOff, store.NotifyStatus: store.ChannelInApp,
				store.NotifyNewThread: store.ChannelDigest},
		} {
			p, err := s.Prefs(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			for k, c := range want {
				if p.Channels[k] != c {
					t.Errorf("%s: %s is %s after the migration, want %s", u.Email, k, p.Channels[k], c)
				}
			}
		}
		var stored int
		if err := db.QueryRowContext(ctx, rebind(s, `SELECT count(*) FROM notification_prefs WHERE channel = 'email' OR (kind = 'new_thread' AND channel = 'digest')`)).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != 0 {
			t.Errorf("%d stored defaults left, want 0", stored)
		}
	})
}

// rebind writes ? placeholders as Postgres wants them.
func rebind(s *store.Store, q string) string {
	if s.Engine() != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func stripComments(sql string) string {
	var out []string
	for _, line := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
