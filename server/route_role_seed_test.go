package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"ideasx/server/auth"
	"ideasx/server/files"
	"ideasx/server/servertest"
	"ideasx/store"
)

// The readers of the route × role test. "chatham" is the member who opened
// the Chatham House thread; "demoted" was a member, followed threads and got
// notifications, then an admin made it a visitor; "suspended" signed in
// and took a token before its suspension; "visitor-role" is an active
// account whose role is visitor.
var rrRoles = []string{"visitor", "pending", "suspended", "visitor-role", "demoted", "business", "member", "chatham", "moderator", "admin"}

var (
	rrForum      = []string{"business", "member", "chatham", "moderator", "admin"}
	rrModerators = []string{"moderator", "admin"}
)

// canary is a word planted in one piece of content, with the roles that
// may read that content. Words are lower-case single tokens, so that
// escaping, slugs and search highlighting leave them whole.
type canary struct {
	word    string
	readers []string
	// chatham marks a name or organisation of someone who wrote under
	// Chatham House: shown elsewhere, it is no secret; beside what was
	// said there (or on the thread's own routes and topic), it is.
	chatham bool
}

// rrIdentity is a role reaching the server one way: by its session cookie
// or by its bearer token (the visitor has neither).
type rrIdentity struct {
	role, auth string
	client     *servertest.Client
	header     http.Header // what a websocket upgrade sends
}

// rrWorld is a server seeded with canaries, and everything the walk needs
// to fill in the routes' parameters.
type rrWorld struct {
	app      *servertest.App
	users    map[string]*store.User
	canaries []canary
	// samples maps a route's path up to a parameter to the values tried
	// there; a route with a parameter not covered fails the test.
	samples map[string][]string
	// queries adds query strings to list and search routes.
	queries map[string][]string
	// chathamThread is where names are withheld; chathamWords are what
	// was said there.
	chathamThread int64
	chathamWords  []string
	// linkedOn forbids words on one path to all but the given roles: a
	// search by an organisation must not find what it said under Chatham
	// House.
	linkedOn   map[string]canary
	identities []rrIdentity
	// choHeader signs a websocket in as the other Chatham House author.
	choHeader http.Header
	// seen records "word role" for each canary a role read somewhere.
	seenMu sync.Mutex
	seen   map[string]bool
	topics []string
}

func rrWord(kind string) string { return "zq" + kind }

// seedCanaries builds the world: accounts of every role, a forum with an
// on-the-record thread (an edited reply, a hidden reply, a deleted reply,
// a flag), a hidden thread, a thread switched to Chatham House after
// replies, and a library with members-only, draft, archived and
// later-restricted documents. A member and a visitor follow the live topics
// while it is built, so that the live hub renders the events as they were.
func seedCanaries(t *testing.T, app *servertest.App) *rrWorld {
	t.Helper()
	ctx := context.Background()
	w := &rrWorld{app: app, users: map[string]*store.User{}, samples: map[string][]string{}, queries: map[string][]string{},
		linkedOn: map[string]canary{}, seen: map[string]bool{}}
	accounts := []struct {
		role, email, org string
		r                store.Role
		kind             store.OrgKind
	}{
		{"admin", "admin@rr.example", "Secretariat", store.RoleAdmin, store.OrgSecretariat},
		{"moderator", "moderator@rr.example", "Secretariat", store.RoleModerator, store.OrgSecretariat},
		{"member", "member@rr.example", "Delegation of Testland", store.RoleMember, store.OrgMember},
		{"business", "business@rr.example", "Andes Textiles", store.RoleBusiness, store.OrgBusiness},
		{"chatham", rrWord("chpname") + "@rr.example", rrWord("chporg") + " Delegation", store.RoleMember, store.OrgMember},
		{"cho", rrWord("choname") + "@rr.example", rrWord("choorg") + " Trading", store.RoleBusiness, store.OrgBusiness},
		{"pending", "pending@rr.example", "Pending Firm", store.RolePending, store.OrgBusiness},
		{"suspended", "suspended@rr.example", "Suspended Firm", store.RoleBusiness, store.OrgBusiness},
		{"visitor-role", "visitorrole@rr.example", "Curious Firm", store.RoleVisitor, store.OrgBusiness},
		{"demoted", "demoted@rr.example", "Delegation of Elsewhere", store.RoleMember, store.OrgMember},
	}
	cookie := map[string]*servertest.Client{}
	tokens := map[string]string{}
	for _, a := range accounts {
		u := app.CreateUser(a.email, a.r, a.org, a.kind)
		w.users[a.role] = u
		c := app.Client()
		c.SignIn(a.email)
		cookie[a.role] = c
		plain, hash := auth.NewToken(auth.APITokenPrefix)
		if _, err := app.Store.CreateAPIToken(ctx, u.ID, "route test", hash); err != nil {
			t.Fatal(err)
		}
		tokens[a.role] = plain
	}
	theme := rrTheme(t, app)

	// Readers already following everything, as open pages do.
	watchers := []*servertest.Client{cookie["member"], cookie["demoted"], app.Client()}
	for _, c := range watchers {
		l := servertest.Live(t, c.BrowserHeader(), app)
		_ = l.Subscribe("documents", nil)
		_ = l.Subscribe("forum", nil)
		_ = l.Subscribe(fmt.Sprintf("theme:%d", theme.ID), nil)
	}

	must := func(r servertest.Response, want int, what string) servertest.Response {
		t.Helper()
		if r.Status != want {
			t.Fatalf("%s: got %d, want %d\n%s", what, r.Status, want, r.Body)
		}
		return r
	}
	id := func(r servertest.Response) int64 {
		t.Helper()
		var v struct{ ID int64 }
		if err := json.Unmarshal([]byte(r.Body), &v); err != nil || v.ID == 0 {
			t.Fatalf("no id in %s", r.Body)
		}
		return v.ID
	}
	thread := func(c *servertest.Client, title, body string) int64 {
		t.Helper()
		in, _ := json.Marshal(map[string]any{"theme_id": theme.ID, "kind": "challenge", "title": title, "body": body, "attribution": "record"})
		return id(must(doJSON(c, "POST", "/api/v1/threads", string(in)), http.StatusCreated, "thread "+title))
	}
	post := func(c *servertest.Client, thread int64, body string) int64 {
		t.Helper()
		in, _ := json.Marshal(map[string]string{"body": body})
		return id(must(doJSON(c, "POST", fmt.Sprintf("/api/v1/threads/%d/posts", thread), string(in)), http.StatusCreated, "reply"))
	}
	threadA := thread(cookie["member"], "canary "+rrWord("threadtitle")+" on customs", "canary "+rrWord("threadbody")+" three weeks")
	for _, role := range []string{"demoted", "suspended"} {
		must(doJSON(cookie[role], "PUT", fmt.Sprintf("/api/v1/threads/%d/watch", threadA), `{"level":"watch"}`), http.StatusOK, "watch")
		must(cookie[role].Get(fmt.Sprintf("/forum/threads/%d", threadA)), http.StatusMovedPermanently, "open thread")
	}
	for _, c := range watchers[:2] {
		l := servertest.Live(t, c.BrowserHeader(), app)
		_ = l.Subscribe(fmt.Sprintf("thread:%d", threadA), nil)
	}
	edited := post(cookie["business"], threadA, "canary "+rrWord("editedout")+" first words")
	hidden := post(cookie["member"], threadA, "canary "+rrWord("hiddenpost")+" @"+w.users["demoted"].Handle)
	deleted := post(cookie["business"], threadA, "canary "+rrWord("deletedpost")+" regretted")
	must(doJSON(cookie["business"], "PATCH", fmt.Sprintf("/api/v1/posts/%d", edited), `{"body":"canary `+rrWord("editednow")+` second words"}`), http.StatusOK, "edit")
	must(doJSON(cookie["business"], "POST", fmt.Sprintf("/api/v1/posts/%d/flags", hidden), `{"reason":"other","note":"canary `+rrWord("flagnote")+`"}`), http.StatusCreated, "flag")
	must(doJSON(cookie["moderator"], "POST", fmt.Sprintf("/api/v1/posts/%d/hide", hidden), ""), http.StatusOK, "hide")
	must(doJSON(cookie["business"], "DELETE", fmt.Sprintf("/api/v1/posts/%d", deleted), ""), http.StatusOK, "delete")
	// Files on posts (issue 14): one on a reply the forum reads, one on a
	// reply a moderator hides; their names and their text are canaries.
	attach := func(c *servertest.Client, thread int64, body, name string) (post, file int64) {
		t.Helper()
		r := must(postMultipart(c, "/api/v1/attachments", nil, fileField{"file", name + ".txt", []byte(name + " text\n")}), http.StatusCreated, "upload")
		var up struct{ Attachments []struct{ ID int64 } }
		if err := json.Unmarshal([]byte(r.Body), &up); err != nil || len(up.Attachments) != 1 {
			t.Fatalf("upload: %s", r.Body)
		}
		in, _ := json.Marshal(map[string]any{"body": body, "attachments": []int64{up.Attachments[0].ID}})
		return id(must(doJSON(c, "POST", fmt.Sprintf("/api/v1/threads/%d/posts", thread), string(in)), http.StatusCreated, "reply with a file")), up.Attachments[0].ID
	}
	_, shownFile := attach(cookie["business"], threadA, "canary with a file", "canary "+rrWord("postfile"))
	hiddenWithFile, hiddenFile := attach(cookie["member"], threadA, "canary "+rrWord("hiddenpost")+" with a file", "canary "+rrWord("hiddenfile"))
	must(doJSON(cookie["moderator"], "POST", fmt.Sprintf("/api/v1/posts/%d/hide", hiddenWithFile), ""), http.StatusOK, "hide")

	threadB := thread(cookie["business"], "canary "+rrWord("hiddenthread")+" about stamps", "canary "+rrWord("hiddenthreadbody"))
	must(doJSON(cookie["moderator"], "POST", fmt.Sprintf("/api/v1/threads/%d/switch", threadB), `{"switch":"hidden","on":true}`), http.StatusOK, "hide thread")

	// The Chatham House thread was on the record until a moderator switched it.
	threadC := thread(cookie["chatham"], "canary "+rrWord("chathamtitle")+" on origin", "canary "+rrWord("chathambody")+" our view")
	for _, c := range watchers[:2] {
		l := servertest.Live(t, c.BrowserHeader(), app)
		_ = l.Subscribe(fmt.Sprintf("thread:%d", threadC), nil)
	}
	chathamReply := post(cookie["cho"], threadC, "canary "+rrWord("chathamreply")+" we agree")
	post(cookie["chatham"], threadC, "canary "+rrWord("chathamanswer")+" thanks")
	must(doJSON(cookie["moderator"], "POST", fmt.Sprintf("/api/v1/threads/%d/attribution", threadC), `{"attribution":"chatham"}`), http.StatusOK, "chatham")

	// The library: documents published as public first, then restricted.
	mod := w.users["moderator"]
	save := func(d store.Document) *store.Document {
		t.Helper()
		d.DocDate = time.Date(2019, 6, 27, 0, 0, 0, 0, time.UTC)
		if err := app.Store.SaveDocument(ctx, mod.ID, &d); err != nil {
			t.Fatal(err)
		}
		return &d
	}
	public := save(store.Document{Title: "canary open report", Visibility: store.Public, Status: store.Published, Summary: "canary public"})
	members := save(store.Document{Title: "canary " + rrWord("membersdoc") + " note", Visibility: store.MembersOnly, Status: store.Published,
		Summary: "canary " + rrWord("membersdocsum")})
	draft := save(store.Document{Title: "canary " + rrWord("draftdoc"), Visibility: store.Public, Status: store.Draft, Summary: "canary draft"})
	archived := save(store.Document{Title: "canary " + rrWord("archiveddoc"), Visibility: store.Public, Status: store.Published, Summary: "canary archived"})
	restricted := save(store.Document{Title: "canary " + rrWord("restricteddoc"), Visibility: store.Public, Status: store.Published,
		Summary: "canary " + rrWord("restrictedsum")})
	pdf, err := files.GeneratePDF("canary", "canary confidential figures")
	if err != nil {
		t.Fatal(err)
	}
	for d, name := range map[*store.Document]string{members: "membersfile", restricted: "restrictedfile"} {
		if r := upload(t, cookie["moderator"], d.ID, "en", rrWord(name)+".pdf", pdf); r.Status >= 400 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
	}
	// A text file's words are searched and downloaded as they are.
	if r := upload(t, cookie["moderator"], members.ID, "fr", "notes.txt", []byte("canary "+rrWord("membersdoctext")+" confidential figures\n")); r.Status >= 400 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	if err := app.Store.SetDocumentStatus(ctx, mod.ID, archived.ID, store.Archived); err != nil {
		t.Fatal(err)
	}
	restricted.Visibility = store.MembersOnly
	if err := app.Store.SaveDocument(ctx, mod.ID, restricted); err != nil {
		t.Fatal(err)
	}
	event := &store.Event{Title: "canary " + rrWord("membersevent"), StartsAt: time.Now().Add(48 * time.Hour), EndsAt: time.Now().Add(50 * time.Hour),
		Timezone: "Europe/Zurich", Visibility: store.MembersOnly, DocumentIDs: []int64{public.ID, members.ID}}
	if err := app.Store.SaveEvent(ctx, mod.ID, event); err != nil {
		t.Fatal(err)
	}
	// Its programme is as members-only as it is, and a public side event must not name it.
	session := &store.EventSession{EventID: event.ID, StartsAt: event.StartsAt, EndsAt: event.EndsAt, Title: "canary " + rrWord("memberssession"),
		People: []store.SessionPerson{{Role: store.SessionSpeaker, Name: "canary " + rrWord("membersspeaker")}}}
	if err := app.Store.SaveEventSession(ctx, mod.ID, session); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.SaveEventLinks(ctx, mod.ID, event.ID, 0, []store.CoOrganiser{{Name: "canary " + rrWord("membersorg")}}); err != nil {
		t.Fatal(err)
	}
	sideEvent := &store.Event{Title: "Public side event", StartsAt: event.StartsAt, EndsAt: event.EndsAt, Timezone: "Europe/Zurich", Visibility: store.Public}
	if err := app.Store.SaveEvent(ctx, mod.ID, sideEvent); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.SaveEventLinks(ctx, mod.ID, sideEvent.ID, event.ID, nil); err != nil {
		t.Fatal(err)
	}
	// Registration for the public side event (issue 16): a business's
	// answers reach only it and the organisers; the online link only the
	// organisers, the meeting being two days away. The walk opens the
	// signed links of a visitor's registration whose details hold no canary
	// (its link is all it takes to read it).
	sideEvent.OnlineURL = "https://meet.example/canary-" + rrWord("onlinelink")
	if err := app.Store.SaveEvent(ctx, mod.ID, sideEvent); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.SaveRegistrationSettings(ctx, mod.ID, &store.RegistrationSettings{EventID: sideEvent.ID, Enabled: true, OpenVisitors: true,
		OpenBusinesses: true, OpenMembers: true, AskAccessibility: true, LinkRevealMinutes: 60}); err != nil {
		t.Fatal(err)
	}
	bizID := w.users["business"].ID
	bizReg := &store.Registration{EventID: sideEvent.ID, UserID: &bizID, Name: w.users["business"].Name, Email: w.users["business"].Email,
		Accessibility: "canary " + rrWord("regneeds")}
	plainReg := &store.Registration{EventID: sideEvent.ID, Name: "Plain Visitor", Email: "plain.visitor@rr.example"}
	if err := app.Store.Register(ctx, bizReg, store.RegistrantBusiness); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.Register(ctx, plainReg, store.RegistrantVisitor); err != nil {
		t.Fatal(err)
	}
	// The Chatham House challenge on both meetings' agendas (issue 16): on
	// the public side event too, where it is shown to forum readers only
	// (it became no public document), and never with who raised it.
	var agendaItems []int64
	for _, e := range []*store.Event{event, sideEvent} {
		it, err := app.Store.AddAgendaItem(ctx, mod, e.ID, threadC)
		if err != nil {
			t.Fatal(err)
		}
		agendaItems = append(agendaItems, it.ID)
	}

	// The account changes come last: the demoted account got its
	// notifications as a member; then the opening post is edited again.
	must(cookie["admin"].Post(fmt.Sprintf("/admin/users/%d/role", w.users["demoted"].ID), url.Values{"role": {"visitor"}}), http.StatusSeeOther, "demote")
	must(cookie["admin"].Post(fmt.Sprintf("/admin/users/%d/status", w.users["suspended"].ID), url.Values{"status": {"suspended"}, "confirm": {"1"}}), http.StatusSeeOther, "suspend")
	var opening int64
	if err := app.Store.DB().QueryRowContext(ctx, fmt.Sprintf(`SELECT MIN(id) FROM posts WHERE thread_id = %d`, threadA)).Scan(&opening); err != nil {
		t.Fatal(err)
	}
	must(doJSON(cookie["member"], "PATCH", fmt.Sprintf("/api/v1/posts/%d", opening), `{"body":"canary `+rrWord("threadbody")+` `+rrWord("afterdemotion")+`"}`), http.StatusOK, "edit after demotion")

	w.canaries = []canary{
		{word: rrWord("threadtitle"), readers: rrForum}, {word: rrWord("threadbody"), readers: rrForum}, {word: rrWord("afterdemotion"), readers: rrForum},
		{word: rrWord("editednow"), readers: rrForum}, {word: rrWord("editedout"), readers: append([]string{"business"}, rrModerators...)},
		{word: rrWord("hiddenpost"), readers: rrModerators}, {word: rrWord("deletedpost"), readers: rrModerators}, {word: rrWord("flagnote"), readers: rrModerators},
		{word: rrWord("hiddenthread"), readers: rrModerators}, {word: rrWord("hiddenthreadbody"), readers: rrModerators},
		{word: rrWord("chathamtitle"), readers: rrForum}, {word: rrWord("chathambody"), readers: rrForum}, {word: rrWord("chathamreply"), readers: rrForum}, {word: rrWord("chathamanswer"), readers: rrForum},
		{rrWord("chpname"), []string{"chatham", "moderator", "admin"}, true}, {rrWord("chporg"), []string{"chatham", "moderator", "admin"}, true},
		{rrWord("choname"), rrModerators, true}, {rrWord("choorg"), rrModerators, true},
		{word: rrWord("membersdoc"), readers: rrForum}, {word: rrWord("membersdocsum"), readers: rrForum}, {word: rrWord("membersfile"), readers: rrForum}, {word: rrWord("membersdoctext"), readers: rrForum},
		{word: rrWord("restricteddoc"), readers: rrForum}, {word: rrWord("restrictedsum"), readers: rrForum}, {word: rrWord("restrictedfile"), readers: rrForum},
		{word: rrWord("draftdoc"), readers: rrModerators}, {word: rrWord("archiveddoc"), readers: rrModerators}, {word: rrWord("membersevent"), readers: rrForum},
		{word: rrWord("memberssession"), readers: rrForum}, {word: rrWord("membersspeaker"), readers: rrForum}, {word: rrWord("membersorg"), readers: rrForum},
	}

	w.canaries = append(w.canaries, canary{word: rrWord("postfile"), readers: rrForum}, canary{word: rrWord("hiddenfile"), readers: rrModerators})
	w.canaries = append(w.canaries, canary{word: rrWord("regneeds"), readers: append([]string{"business"}, rrModerators...)},
		canary{word: rrWord("onlinelink"), readers: rrModerators})
	// A token is shown once, when it is made: never again, not even to its owner.
	for _, plain := range tokens {
		w.canaries = append(w.canaries, canary{word: plain})
	}

	// Parameters: every canary, and values that exist nowhere.
	ids := func(prefix string, suffix string, vs ...int64) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = fmt.Sprintf("%s%d%s", prefix, v, suffix)
		}
		return out
	}
	threads := []int64{threadA, threadB, threadC}
	posts := []int64{opening, edited, hidden, deleted, chathamReply}
	docs := []int64{public.ID, members.ID, draft.ID, archived.ID, restricted.ID}
	flags, err := app.Store.OpenFlags(ctx)
	if err != nil || len(flags) == 0 {
		t.Fatalf("flags: %v %v", flags, err)
	}
	membersFiles, err := app.Store.DocumentFiles(ctx, members.ID)
	if err != nil || len(membersFiles) == 0 {
		t.Fatalf("files: %v %v", membersFiles, err)
	}
	restrictedFiles, err := app.Store.DocumentFiles(ctx, restricted.ID)
	if err != nil || len(restrictedFiles) == 0 {
		t.Fatalf("files: %v %v", restrictedFiles, err)
	}
	var filePaths, apiFilePaths []string
	for _, f := range append(membersFiles, restrictedFiles...) {
		filePaths = append(filePaths, rrFilePath(f, f.Filename), rrFilePath(f, "x.pdf"))
		apiFilePaths = append(apiFilePaths, fmt.Sprintf("/api/v1/documents/%d/files/%d", f.DocumentID, f.ID))
	}
	var notifications, modTokens []int64
	for query, into := range map[string]*[]int64{
		`SELECT id FROM notifications ORDER BY id`:                          &notifications,
		fmt.Sprintf(`SELECT id FROM api_tokens WHERE user_id = %d`, mod.ID): &modTokens,
	} {
		rows, err := app.Store.DB().QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n int64
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			*into = append(*into, n)
		}
		rows.Close()
	}
	if len(notifications) == 0 {
		t.Fatal("no notifications were made")
	}
	attachmentPaths := []string{fmt.Sprintf("/forum/attachments/%d/canary%%20%s.txt", shownFile, rrWord("postfile")),
		fmt.Sprintf("/forum/attachments/%d/canary%%20%s.txt", hiddenFile, rrWord("hiddenfile")), fmt.Sprintf("/forum/attachments/%d/x.pdf", hiddenFile)}
	handles := []string{w.users["member"].Handle, w.users["chatham"].Handle, w.users["cho"].Handle, "nobody-here"}
	w.samples = map[string][]string{
		"/static/{path...}":                    {"/static/none.css"},
		"/reset/{token}":                       {"/reset/bogus"},
		"/invite/{token}":                      {"/invite/bogus"},
		"/setup/{token}":                       {"/setup/bogus"},
		"/unsubscribe/{token}":                 {"/unsubscribe/bogus"},
		"/account/tokens/{id}":                 ids("/account/tokens/", "", modTokens...),
		"/api/v1/tokens/{id}":                  ids("/api/v1/tokens/", "", modTokens...),
		"/moderation/organisations/{id}":       ids("/moderation/organisations/", "", w.users["chatham"].OrganisationID, w.users["cho"].OrganisationID),
		"/api/v1/organisations/{id}":           ids("/api/v1/organisations/", "", w.users["chatham"].OrganisationID, w.users["cho"].OrganisationID),
		"/moderation/accounts/{id}":            ids("/moderation/accounts/", "", w.users["pending"].ID),
		"/admin/users/{id}":                    ids("/admin/users/", "", w.users["demoted"].ID),
		"/api/v1/account-requests/{id}":        ids("/api/v1/account-requests/", "", w.users["pending"].ID),
		"/api/v1/users/{id}":                   ids("/api/v1/users/", "", w.users["demoted"].ID),
		"/api/v1/invitations/{id}":             {"/api/v1/invitations/999999"},
		"/moderation/invitations/{id}":         {"/moderation/invitations/999999"},
		"/admin/pages/{slug}/{lang}":           {"/admin/pages/privacy/fr", "/admin/pages/terms/en", "/admin/pages/contact/xx"},
		"/forum/themes/{slug}":                 {"/forum/themes/" + theme.Slug},
		"/api/v1/themes/{id}":                  ids("/api/v1/themes/", "", theme.ID, 999999),
		"/api/v1/categories/{id}":              ids("/api/v1/categories/", "", rrCategory(t, app), 999999),
		"/forum/threads/{ref}":                 append(ids("/forum/threads/", "", threads...), ids("/forum/threads/", "-x", threads...)...),
		"/forum/threads/{id}":                  ids("/forum/threads/", "", threads...),
		"/forum/posts/{id}":                    ids("/forum/posts/", "", posts...),
		"/moderation/flags/{id}":               ids("/moderation/flags/", "", flags[0].ID),
		"/forum/people/{handle}":               prefixed("/forum/people/", handles),
		"/account/consents/{id}":               ids("/account/consents/", "", draft.ID, members.ID),
		"/api/v1/consents/{id}":                ids("/api/v1/consents/", "", draft.ID, members.ID),
		"/notifications/{id}":                  ids("/notifications/", "", notifications...),
		"/documents/{ref}":                     append(ids("/documents/", "", docs...), ids("/documents/", "-x", docs...)...),
		"/documents/{ref}/files/{file}/{name}": filePaths,
		"/forum/attachments/{id}/{name}":       attachmentPaths,
		"/forum/attachments/{id}":              ids("/forum/attachments/", "", shownFile, hiddenFile, 999999),
		"/api/v1/attachments/{id}":             ids("/api/v1/attachments/", "", shownFile, hiddenFile, 999999),
		"/events/{ref}":                        ids("/events/", "", event.ID, sideEvent.ID),
		"/events/{ref}/calendar.ics":           ids("/events/", "/calendar.ics", event.ID, sideEvent.ID),
		"/events/{ref}/programme.pdf":          ids("/events/", "/programme.pdf", event.ID, sideEvent.ID),
		"/moderation/documents/{id}":           ids("/moderation/documents/", "", members.ID, draft.ID, archived.ID),
		"/moderation/events/{id}":              ids("/moderation/events/", "", event.ID),
		"/moderation/events/{id}/sessions/{sid}": {fmt.Sprintf("/moderation/events/%d/sessions/%d", event.ID, session.ID),
			fmt.Sprintf("/moderation/events/%d/sessions/999999", event.ID)},
		"/api/v1/threads/{ref}":                ids("/api/v1/threads/", "", threads...),
		"/api/v1/posts/{id}":                   ids("/api/v1/posts/", "", posts...),
		"/api/v1/flags/{id}":                   ids("/api/v1/flags/", "", flags[0].ID),
		"/api/v1/documents/{ref}":              ids("/api/v1/documents/", "", docs...),
		"/api/v1/documents/{ref}/files/{file}": apiFilePaths,
		"/api/v1/events/{ref}":                 ids("/api/v1/events/", "", event.ID, sideEvent.ID),
		"/registrations/{token}": {app.Server.RegistrationPathForTest(ctx, plainReg.ID), "/registrations/bogus",
			"/registrations/m" + fmt.Sprint(bizReg.ID) + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		"/checkin/{token}": {app.Server.CheckInPathForTest(ctx, plainReg.ID), "/checkin/bogus"},
		"/moderation/events/{id}/registrations/{rid}": {fmt.Sprintf("/moderation/events/%d/registrations/%d", sideEvent.ID, bizReg.ID),
			fmt.Sprintf("/moderation/events/%d/registrations/%d", event.ID, bizReg.ID)},
		"/api/v1/events/{ref}/registrations/{rid}": {fmt.Sprintf("/api/v1/events/%d/registrations/%d", sideEvent.ID, bizReg.ID),
			fmt.Sprintf("/api/v1/events/%d/registrations/%d", event.ID, bizReg.ID)},
		"/api/v1/events/{ref}/sessions/{sid}": {fmt.Sprintf("/api/v1/events/%d/sessions/%d", event.ID, session.ID),
			fmt.Sprintf("/api/v1/events/%d/sessions/999999", event.ID)},
		"/moderation/agenda/{id}": ids("/moderation/agenda/", "", agendaItems...),
		"/api/v1/events/{ref}/agenda/{item}": {fmt.Sprintf("/api/v1/events/%d/agenda/%d", event.ID, agendaItems[0]),
			fmt.Sprintf("/api/v1/events/%d/agenda/%d", sideEvent.ID, agendaItems[1]), fmt.Sprintf("/api/v1/events/%d/agenda/%d", sideEvent.ID, agendaItems[0])},
	}
	chp, cho := w.users["chatham"], w.users["cho"]
	orgQuery := func(u *store.User) string { return fmt.Sprintf("?q=canary&org=%d", u.OrganisationID) }
	w.queries = map[string][]string{
		"/search":               {"?q=canary", "?q=canary&in=forum", "?q=canary&in=documents", "?q=confidential+figures", orgQuery(chp), orgQuery(cho)},
		"/api/v1/search":        {"?q=canary", "?q=confidential+figures", orgQuery(chp), orgQuery(cho)},
		"/documents":            {"?q=canary", "?sort=title"},
		"/api/v1/documents":     {"?q=canary"},
		"/forum":                {"?tab=unanswered", "?tab=ours", "?tab=mine", "?tab=watched"},
		"/api/v1/threads":       {"?list=watched", "?list=mine", fmt.Sprintf("?theme_id=%d", theme.ID)},
		"/events":               {"?when=past"},
		"/api/v1/events":        {"?when=past"},
		"/moderation/documents": {"?status=archived", "?status=draft"},
		// The editor's "@": in the Chatham House thread (a route of that thread, for the walk), and for a new one under the rule.
		"/api/v1/mention-suggestions": {"?q=test", fmt.Sprintf("?thread=%d&q=", threadC), fmt.Sprintf("?thread=%d&q=zq", threadC), "?attribution=chatham&q=test"},
	}
	w.chathamThread = threadC
	w.chathamWords = []string{rrWord("chathamtitle"), rrWord("chathambody"), rrWord("chathamreply"), rrWord("chathamanswer")}
	for _, p := range []struct {
		u    *store.User
		self string
	}{{chp, "chatham"}, {cho, ""}} {
		for _, word := range w.chathamWords {
			readers := append([]string{p.self}, rrModerators...)
			w.linkedOn["/search"+orgQuery(p.u)+" "+word] = canary{word: word, readers: readers}
			w.linkedOn["/api/v1/search"+orgQuery(p.u)+" "+word] = canary{word: word, readers: readers}
		}
	}

	w.identities = []rrIdentity{{role: "visitor", auth: "none", client: app.Client(), header: http.Header{"Origin": {app.BaseURL}}}}
	for _, role := range rrRoles[1:] {
		w.identities = append(w.identities, rrIdentity{role: role, auth: "cookie", client: cookie[role], header: cookie[role].BrowserHeader()})
		c := app.Client()
		c.Header.Set("Authorization", "Bearer "+tokens[role])
		w.identities = append(w.identities, rrIdentity{role: role, auth: "token", client: c, header: http.Header{"Authorization": {"Bearer " + tokens[role]}}})
	}
	w.choHeader = cookie["cho"].BrowserHeader()
	w.topics = []string{"forum", "documents", fmt.Sprintf("theme:%d", theme.ID)}
	for _, th := range threads {
		w.topics = append(w.topics, fmt.Sprintf("thread:%d", th))
	}
	for _, u := range w.users {
		w.topics = append(w.topics, fmt.Sprintf("user:%d", u.ID))
	}
	return w
}

func rrTheme(t *testing.T, app *servertest.App) store.Theme {
	t.Helper()
	themes, err := app.Store.Themes(context.Background(), false)
	if err != nil || len(themes) == 0 {
		t.Fatalf("themes: %v", err)
	}
	return themes[0]
}

func rrFilePath(f store.DocFile, name string) string {
	return fmt.Sprintf("/documents/%d/files/%d/%s", f.DocumentID, f.ID, name)
}

func prefixed(prefix string, vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = prefix + v
	}
	return out
}

// readers reports whether role may read c.
func (c canary) readBy(role string) bool {
	for _, r := range c.readers {
		if r == role {
			return true
		}
	}
	return false
}

// rrCategory makes a category the walk's moderators' API may rename.
func rrCategory(t *testing.T, app *servertest.App) int64 {
	t.Helper()
	c := store.Category{Slug: "rr-reports", NameEN: "Reports", NameFR: "Rapports", NameES: "Informes"}
	if err := app.Store.SaveCategory(context.Background(), 0, &c); err != nil {
		t.Fatalf("category: %v", err)
	}
	return c.ID
}
