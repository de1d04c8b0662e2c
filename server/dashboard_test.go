package server_test

import (
	"context"
	"strings"
	"testing"

	"ideasx/cmd/ideasx/demo"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestPublicDashboardShowsOnlyNumbers: the home page's figures tell how the
// dialogue goes without a single title or name from the forum.
func TestPublicDashboardShowsOnlyNumbers(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, app.Store); err != nil {
		t.Fatal(err)
	}
	threads, err := app.Store.ListThreads(ctx, store.ThreadFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	page := app.Client().Get("/")
	mustContain(t, page, "The dialogue in figures", "challenges posted", "Rules of origin", "Africa", "Americas")
	for _, th := range threads {
		for _, secret := range []string{th.Title, th.AuthorName, th.OrgName} {
			if strings.Contains(page.Body, secret) {
				t.Errorf("the public home page shows %q", secret)
			}
		}
	}
}
