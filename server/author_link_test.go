package server_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"ideasx/server/servertest"
)

// TestAuthorsLinkToTheirPage: an author's name on a post leads to their
// page where the thread names them with their organisation (on the
// record, and for moderators under the Chatham House rule), on the page
// and in the API; in personal capacity the page would name the
// organisation the thread leaves out, and under the rule members learn no
// name at all, so neither links.
func TestAuthorsLinkToTheirPage(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		clients := signedInClients(t, app)
		author, err := app.Store.UserByEmail(context.Background(), "member@roles.example")
		if err != nil {
			t.Fatal(err)
		}
		link := fmt.Sprintf(`<a href="/forum/people/%s">%s</a>`, author.Handle, author.Name)
		apiHandle := fmt.Sprintf(`"handle":%q`, author.Handle)
		theme := themeID(t, app)
		for _, c := range []struct {
			mode, reader string
			linked       bool
		}{
			{"record", "business", true}, {"personal", "business", false}, {"chatham", "business", false}, {"chatham", "moderator", true},
		} {
			where := postThread(t, clients["member"], theme, "Who wrote this "+c.mode, c.mode)
			id := regexp.MustCompile(`/forum/threads/(\d+)`).FindStringSubmatch(where)[1]
			page := clients[c.reader].Get(where).Body
			api := clients[c.reader].Get("/api/v1/threads/" + id).Body
			if got := strings.Contains(page, link); got != c.linked {
				t.Errorf("%s thread read by %s: name linked %v, want %v", c.mode, c.reader, got, c.linked)
			}
			if got := strings.Contains(api, apiHandle); got != c.linked {
				t.Errorf("%s thread read by %s through the API: handle given %v, want %v", c.mode, c.reader, got, c.linked)
			}
		}
	})
}
