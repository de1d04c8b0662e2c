package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// A thread page's shared reading is kept for its readers, but what another
// instance changes in the thread shows on the very next page here: a reply,
// an edit, a removal, the thread hidden.
func TestThreadPageShowsAnotherInstancesChangeAtOnce(t *testing.T) {
	t.Parallel()
	opts := storetest.Options(t, storetest.Postgres)
	a := servertest.NewInstance(t, storetest.OpenOptions(t, opts), nil, nil)
	b := servertest.NewInstance(t, storetest.OpenOptions(t, opts), map[string]string{"IDEASX_BASE_URL": a.BaseURL}, nil)
	ctx := context.Background()
	biz := a.CreateUser("exporter@andes.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	mod := a.CreateUser("mod@secretariat.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	member := a.CreateUser("delegate@geneva.example", store.RoleMember, "Delegation of Peru", store.OrgMember)
	th, err := a.Store.CreateThread(ctx, store.NewThread{ThemeID: themeID(t, a), Kind: "challenge", Title: "Certificates of origin",
		Attribution: store.OnTheRecord, Body: "Three weeks per certificate.", HTML: "<p>Three weeks per certificate.</p>", Author: biz})
	if err != nil {
		t.Fatal(err)
	}
	reader := a.Client()
	reader.SignIn(member.Email)
	page := func() servertest.Response {
		t.Helper()
		r := reader.Get("/forum/threads/" + itoa(th.ID))
		if r.Status == http.StatusMovedPermanently {
			r = reader.Get(r.Location)
		}
		return r
	}
	other := a.Client()
	other.SignIn(biz.Email)
	if r := page(); r.Status != http.StatusOK || !strings.Contains(r.Body, "Three weeks per certificate.") {
		t.Fatalf("thread page: %d", r.Status)
	}
	other.Get("/forum/threads/" + itoa(th.ID)) // a second reader of the same reading

	p, err := b.Store.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: biz, Body: "Now two weeks in Lima.", HTML: "<p>Now two weeks in Lima.</p>"})
	if err != nil {
		t.Fatal(err)
	}
	if r := page(); !strings.Contains(r.Body, "Now two weeks in Lima.") {
		t.Error("a reply made on another instance is missing from the next page")
	}
	if err := b.Store.EditPost(ctx, p.ID, biz, "Now ten days in Lima.", "<p>Now ten days in Lima.</p>"); err != nil {
		t.Fatal(err)
	}
	if r := page(); !strings.Contains(r.Body, "Now ten days in Lima.") || strings.Contains(r.Body, "Now two weeks in Lima.") {
		t.Error("an edit made on another instance is missing from the next page")
	}
	if err := b.Store.SetPostDeleted(ctx, p.ID, mod, true); err != nil {
		t.Fatal(err)
	}
	if r := page(); strings.Contains(r.Body, "Now ten days in Lima.") {
		t.Error("a reply removed on another instance is still shown on the next page")
	}
	if err := b.Store.SetThreadSwitch(ctx, mod.ID, th.ID, store.SwitchHidden, true); err != nil {
		t.Fatal(err)
	}
	if r := page(); r.Status != http.StatusNotFound {
		t.Errorf("a thread hidden on another instance: got %d, want 404", r.Status)
	}
}
