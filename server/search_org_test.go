package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ideasx/server/servertest"
	"ideasx/store"
)

// TestForumSearchByOrganisation: on the page and in the API, a member
// filtering by an organisation finds only what it said on the record, and
// the list of organisations offered names none that spoke only where
// organisations are withheld; moderators find and see everything.
func TestForumSearchByOrganisation(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, app *servertest.App) {
		xylo := app.CreateUser("x@x.example", store.RoleBusiness, "Xylo Exports", store.OrgBusiness)
		zed := app.CreateUser("z@x.example", store.RoleMember, "Delegation of Zed", store.OrgMember)
		app.CreateUser("m@x.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
		app.CreateUser("mod@x.example", store.RoleModerator, "WTO Secretariat", store.OrgSecretariat)
		c := map[string]*servertest.Client{"visitor": app.Client()}
		for _, n := range []string{"x", "z", "m", "mod"} {
			c[n] = app.Client()
			c[n].SignIn(n + "@x.example")
		}
		newThread := func(title, attribution string) int64 {
			t.Helper()
			r := doJSON(c["x"], "POST", "/api/v1/threads", fmt.Sprintf(`{"theme_id":%d,"kind":"challenge","title":%q,"body":"Tariff quotas run out early.","attribution":%q}`,
				themeID(t, app), title, attribution))
			if r.Status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.Status, r.Body)
			}
			var th struct{ ID int64 }
			decode(t, r, &th)
			return th.ID
		}
		newThread("Quotas on the record", "record")
		chatham := newThread("Quotas under the rule", "chatham")
		if r := doJSON(c["z"], "POST", fmt.Sprintf("/api/v1/threads/%d/posts", chatham), `{"body":"Our quotas open in March."}`); r.Status != http.StatusCreated {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}

		for _, tc := range []struct {
			who   string
			org   int64
			finds []string
			not   []string
		}{
			{"m", xylo.OrganisationID, []string{"Quotas on the record"}, []string{"Quotas under the rule"}},
			{"m", zed.OrganisationID, nil, []string{"Quotas on the record", "Quotas under the rule"}},
			{"x", zed.OrganisationID, nil, []string{"Quotas under the rule"}},
			{"mod", xylo.OrganisationID, []string{"Quotas on the record", "Quotas under the rule"}, nil},
			{"mod", zed.OrganisationID, []string{"Quotas under the rule"}, []string{"Quotas on the record"}},
			{"visitor", xylo.OrganisationID, nil, []string{"Quotas on the record", "Quotas under the rule"}},
		} {
			page := c[tc.who].Get(fmt.Sprintf("/search?q=quotas&org=%d", tc.org))
			api := c[tc.who].Get(fmt.Sprintf("/api/v1/search?q=quotas&org=%d", tc.org))
			if page.Status != http.StatusOK || api.Status != http.StatusOK {
				t.Fatalf("%s: page %d, API %d", tc.who, page.Status, api.Status)
			}
			for _, title := range tc.finds {
				if !strings.Contains(page.Body, title) || !strings.Contains(api.Body, title) {
					t.Errorf("%s filtering on organisation %d does not find %q", tc.who, tc.org, title)
				}
			}
			for _, title := range tc.not {
				if strings.Contains(page.Body, title) || strings.Contains(api.Body, title) {
					t.Errorf("%s filtering on organisation %d finds %q", tc.who, tc.org, title)
				}
			}
		}

		// The organisations offered: for members, only those heard on the record.
		picker := func(who string) string {
			page := c[who].Get("/search?q=quotas").Body
			i := strings.Index(page, `id="f-org"`)
			if i < 0 {
				return ""
			}
			return page[i : i+strings.Index(page[i:], "</select>")]
		}
		if got := picker("m"); !strings.Contains(got, "Xylo Exports") || strings.Contains(got, "Delegation of Zed") {
			t.Errorf("organisations offered to a member:\n%s", got)
		}
		if got := picker("mod"); !strings.Contains(got, "Xylo Exports") || !strings.Contains(got, "Delegation of Zed") {
			t.Errorf("organisations offered to a moderator:\n%s", got)
		}
		if got := c["visitor"].Get("/search?q=quotas").Body; strings.Contains(got, "Xylo Exports") || strings.Contains(got, `id="f-org"`) {
			t.Error("a visitor is offered the forum's organisations")
		}

		// Unfiltered, a member still finds both threads, without a name.
		body := c["m"].Get("/api/v1/search?q=quotas").Body
		if !strings.Contains(body, "Quotas on the record") || !strings.Contains(body, "Quotas under the rule") || strings.Contains(body, "Zed") {
			t.Errorf("unfiltered search: %s", body)
		}
		// Nonsense in the filter is ignored, not an error.
		if r := c["m"].Get("/search?q=quotas&org=abc&status=lost"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Quotas on the record") {
			t.Errorf("bad filter values: %d", r.Status)
		}
	})
}
