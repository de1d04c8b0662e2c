package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"ideasx/server/servertest"
)

// TestOutcomeMarkedInAPI: once a moderator records a meeting's outcome,
// the thread's API answer marks that post with its meeting and agenda
// item, and no other post; the notification centre quotes it.
func TestOutcomeMarkedInAPI(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		w := seedAgenda(t, app)
		mod := app.Client()
		mod.SignIn(w.mod.Email)
		r := mod.Post(fmt.Sprintf("/moderation/agenda/%d/outcome", w.chathamItem.ID), url.Values{"outcome_en": {"The group will raise border fees."}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("record outcome: got %d", r.Status)
		}
		member := app.Client()
		member.SignIn(w.delegate.Email)
		got := agendaAPI(member, "GET", fmt.Sprintf("/api/v1/threads/%d", w.chatham.ID), "")
		var body struct {
			Posts []struct {
				ID      int64
				Body    string
				Outcome *struct {
					EventID      int64 `json:"event_id"`
					AgendaItemID int64 `json:"agenda_item_id"`
				}
			}
		}
		if err := json.Unmarshal([]byte(got.Body), &body); err != nil || got.Status != http.StatusOK {
			t.Fatalf("thread: %d %s", got.Status, got.Body)
		}
		marked := 0
		for _, p := range body.Posts {
			if p.Outcome == nil {
				continue
			}
			marked++
			if p.Outcome.EventID != w.meeting.ID || p.Outcome.AgendaItemID != w.chathamItem.ID {
				t.Errorf("outcome post %d marked %+v, want event %d item %d", p.ID, *p.Outcome, w.meeting.ID, w.chathamItem.ID)
			}
		}
		if marked != 1 || len(body.Posts) != 3 {
			t.Errorf("%d of %d posts marked as the outcome, want 1 of 3:\n%s", marked, len(body.Posts), got.Body)
		}
		// The notification centre quotes the outcome, as it quotes a reply.
		mustContain(t, member.Get("/notifications"), "The group will raise border fees.")
	})
}
