package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// TestAPIConformance holds the running API to its OpenAPI document with
// kin-openapi, a validator written by others: every operation of the
// document is called as each kind of caller (anonymous, a bad token,
// business, member, moderator, admin) with a valid input and invalid ones,
// and each answer's status must be documented for that operation and its
// body must match the documented schema. The valid input must succeed for
// the row's caller and match the documented request; an invalid one must
// be refused with a 4xx; nothing may answer 5xx. That every route of the
// code is in the document is TestOpenAPIListsEveryRoute's part. It runs on
// SQLite; IDEASX_CONFORMANCE_ENGINE=postgres runs it on Postgres, which is
// stricter about dates, text and numbers (about 16 s).
func TestAPIConformance(t *testing.T) {
	t.Parallel()
	engine := storetest.SQLite
	if os.Getenv("IDEASX_CONFORMANCE_ENGINE") == string(storetest.Postgres) {
		engine = storetest.Postgres
	}
	cf := newConformance(t, engine)
	rows := map[string]conformanceRow{}
	for _, row := range conformanceRows {
		if _, dup := rows[row.op]; dup {
			t.Errorf("two rows for %s", row.op)
		}
		rows[row.op] = row
	}
	documented := map[string]bool{}
	for _, path := range cf.doc.Paths.InMatchingOrder() {
		for method := range cf.doc.Paths.Value(path).Operations() {
			op := method + " " + path
			documented[op] = true
			if _, ok := rows[op]; !ok {
				t.Errorf("openapi.json documents %s but the conformance test never calls it: add a row to conformanceRows "+
					"(server/api_conformance_test.go): {op: %q, by: <least caller who may>, valid: call{path: ..., body: ...}, "+
					"invalid: []call{...}}; fixture ids such as {thread} come from newConformance", op, op)
			}
		}
	}
	for _, row := range conformanceRows {
		if !documented[row.op] {
			t.Errorf("conformanceRows has %s, which openapi.json does not document", row.op)
			continue
		}
		cf.check(t, row)
	}
	t.Logf("%d operations, %d requests", len(conformanceRows), cf.calls)
}

// The kinds of caller. Each row names the least of them that may do its
// operation (by); the others must get an answer the document allows.
const (
	anonymous = "anonymous"
	badToken  = "bad token"
	business  = "business"
	member    = "member"
	moderator = "moderator"
	admin     = "admin"
)

var conformanceCallers = []string{anonymous, badToken, business, member, moderator, admin}

// call is one request: path (after /api/v1, with its query) and body, in
// which placeholders such as {thread} stand for the fixture's rows.
type call struct {
	path, body string
	// tolerated: the server may take this input calmly (a query it
	// ignores), so a 2xx is no failure; it must still be documented.
	tolerated bool
}

type conformanceRow struct {
	op      string // "METHOD /path" as openapi.json has it
	by      string // the caller whose valid call must succeed
	session bool   // the operation takes a signed-in session, not a token
	valid   call
	invalid []call
	// contentType of the bodies, application/json unless said.
	contentType string
}

const nowhere = "987654321"

var conformanceRows = []conformanceRow{
	{op: "GET /openapi.json", by: anonymous, valid: call{path: "/openapi.json"}},
	{op: "GET /me", by: business, valid: call{path: "/me"}},
	{op: "GET /categories", by: anonymous, valid: call{path: "/categories"}},
	{op: "POST /categories", by: moderator, valid: call{path: "/categories", body: `{"slug":"guides","name_en":"Guides","name_fr":"Guides","name_es":"Guías","position":3}`},
		invalid: []call{{path: "/categories", body: `{"slug":"Not a slug","name_en":"","name_fr":"x","name_es":"x"}`}, {path: "/categories", body: `{`}}},
	{op: "PUT /categories/{id}", by: moderator, valid: call{path: "/categories/{category}", body: `{"slug":"reports","name_en":"Reports","name_fr":"Rapports","name_es":"Informes"}`},
		invalid: []call{{path: "/categories/" + nowhere, body: `{"slug":"reports","name_en":"Reports","name_fr":"Rapports","name_es":"Informes"}`},
			{path: "/categories/{category}", body: `{"slug":"","name_en":"Reports"}`}, {path: "/categories/{category}", body: `{"colour":"red"}`}}},
	{op: "GET /documents", by: anonymous, valid: call{path: "/documents?page=1&sort=date"},
		invalid: []call{{path: "/documents?category=nope"}, {path: "/documents?page=9223372036854775807", tolerated: true}}},
	{op: "POST /documents", by: moderator, valid: call{path: "/documents", body: `{"title":"Transit note","date":"2019-10-01","visibility":"public","tags":["transit"]}`},
		invalid: []call{{path: "/documents", body: `{"title":"","date":"2019-02-30","visibility":"public"}`},
			{path: "/documents", body: `{"title":"Note","date":"2019-10-01","visibility":"public","category_id":` + nowhere + `}`}, {path: "/documents", body: `[]`}}},
	{op: "GET /documents/{ref}", by: anonymous, valid: call{path: "/documents/{document}"}, invalid: []call{{path: "/documents/" + nowhere}, {path: "/documents/x"}}},
	{op: "PUT /documents/{ref}", by: moderator, valid: call{path: "/documents/{document}", body: `{"title":"Fees note","symbol":"INF/1","date":"2019-10-01","visibility":"public","status":"published"}`},
		invalid: []call{{path: "/documents/{document}", body: `{"title":"Fees note","date":"2019-10-01","visibility":"nobody"}`},
			{path: "/documents/{document}", body: `{"title":"Fees note","date":"2019-10-01","visibility":"public","derestrict_at":"2030-01-01","category_id":` + nowhere + `}`},
			{path: "/documents/" + nowhere, body: `{"title":"Fees note","date":"2019-10-01","visibility":"public"}`}}},
	{op: "POST /documents/{ref}/status", by: moderator, valid: call{path: "/documents/{document}/status", body: `{"status":"published"}`},
		invalid: []call{{path: "/documents/{document}/status", body: `{"status":"public"}`}, {path: "/documents/" + nowhere + "/status", body: `{"status":"draft"}`},
			{path: "/documents/{consent}/status", body: `{"status":"published"}`}}},
	{op: "GET /documents/{ref}/consents", by: moderator, valid: call{path: "/documents/{consent}/consents"}, invalid: []call{{path: "/documents/" + nowhere + "/consents"}}},
	{op: "POST /documents/{ref}/files", by: moderator, contentType: multipartType, valid: call{path: "/documents/{document}/files", body: "{upload}"},
		invalid: []call{{path: "/documents/" + nowhere + "/files", body: "{upload}"}, {path: "/documents/{document}/files", body: "{upload without file}"}}},
	{op: "GET /documents/{ref}/files/{file}", by: anonymous, valid: call{path: "/documents/{document}/files/{file}"},
		invalid: []call{{path: "/documents/{document}/files/" + nowhere}, {path: "/documents/" + nowhere + "/files/{file}"}}},
	{op: "GET /events", by: anonymous, valid: call{path: "/events"}, invalid: []call{{path: "/events?when=someday", tolerated: true}}},
	{op: "POST /events", by: moderator, valid: call{path: "/events", body: eventBody},
		invalid: []call{{path: "/events", body: `{"title":"Meeting","starts_at":"2030-11-01T12:00","ends_at":"2030-11-01T10:00","visibility":"public"}`},
			{path: "/events", body: `{"title":"Meeting","starts_at":"2030-11-01T10:00","ends_at":"2030-11-01T12:00","visibility":"public","document_ids":[` + nowhere + `]}`}}},
	{op: "GET /events/{ref}", by: anonymous, valid: call{path: "/events/{event}"}, invalid: []call{{path: "/events/" + nowhere}}},
	{op: "PUT /events/{ref}", by: moderator, valid: call{path: "/events/{event}", body: eventBody},
		invalid: []call{{path: "/events/" + nowhere, body: eventBody}, {path: "/events/{event}", body: `{"title":"","starts_at":"x","ends_at":"y","visibility":"public"}`}}},
	{op: "POST /events/{ref}/sessions", by: moderator, valid: call{path: "/events/{event}/sessions", body: sessionBody},
		invalid: []call{{path: "/events/" + nowhere + "/sessions", body: sessionBody}, {path: "/events/{event}/sessions", body: `{"starts_at":"2030-11-01T10:00","ends_at":"2030-11-01T09:00","title":""}`},
			{path: "/events/{event}/sessions", body: `{"starts_at":"2030-11-01T10:00","ends_at":"2030-11-01T11:00","title":"Panel","people":[{"role":"speaker","name":"Ana","handle":"nobody.here"},{"role":"chair","name":""}]}`}}},
	{op: "PUT /events/{ref}/sessions/{sid}", by: moderator, valid: call{path: "/events/{event}/sessions/{session}", body: sessionBody},
		invalid: []call{{path: "/events/{event}/sessions/" + nowhere, body: sessionBody}, {path: "/events/{event}/sessions/{session}", body: `{"title":"x"}`}}},
	{op: "DELETE /events/{ref}/sessions/{sid}", by: moderator, valid: call{path: "/events/{event}/sessions/{spare session}"},
		invalid: []call{{path: "/events/{event}/sessions/" + nowhere}}},
	{op: "PUT /events/{ref}/links", by: moderator, valid: call{path: "/events/{event}/links", body: `{"main_event_id":null,"co_organisers":[{"name":"UNCTAD"}]}`},
		invalid: []call{{path: "/events/{event}/links", body: `{"main_event_id":` + nowhere + `}`}, {path: "/events/{event}/links", body: `{"main_event_id":{event}}`}, {path: "/events/{event}/links", body: `{"co_organisers":[{"name":""}]}`},
			{path: "/events/" + nowhere + "/links", body: `{}`}}},
	{op: "GET /search", by: anonymous, valid: call{path: "/search?q=fees"}, invalid: []call{{path: "/search?q=fees&year=x&org=y", tolerated: true}}},
	{op: "GET /themes", by: member, valid: call{path: "/themes?archived=include"}, invalid: []call{{path: "/themes?archived=yes", tolerated: true}}},
	{op: "POST /themes", by: moderator, valid: call{path: "/themes", body: `{"slug":"e-invoicing","name_en":"E-invoicing","name_fr":"Facturation électronique","name_es":"Facturación electrónica","position":9}`},
		invalid: []call{{path: "/themes", body: `{"slug":"E Invoicing","name_en":""}`}, {path: "/themes", body: `{"slug":1}`}}},
	{op: "PUT /themes/{id}", by: moderator, valid: call{path: "/themes/{spare theme}", body: `{"slug":"spare","name_en":"Spare","name_fr":"Réserve","name_es":"Reserva","archived":true}`},
		invalid: []call{{path: "/themes/" + nowhere, body: `{"slug":"spare","name_en":"Spare","name_fr":"Réserve","name_es":"Reserva"}`},
			{path: "/themes/{spare theme}", body: `{"slug":"spare","name_en":"` + long + `","name_fr":"x","name_es":"x"}`}}},
	{op: "GET /threads", by: member, valid: call{path: "/threads?theme_id={theme}&list=latest"}, invalid: []call{{path: "/threads?after=x&list=nonsense", tolerated: true}}},
	{op: "POST /threads", by: business, valid: call{path: "/threads", body: `{"theme_id":{theme},"kind":"discussion","title":"Transit bonds","body":"Who accepts digital bonds?","attribution":"chatham","tags":["transit"]}`},
		invalid: []call{{path: "/threads", body: `{"theme_id":` + nowhere + `,"kind":"discussion","title":"Transit bonds","body":"Who?","attribution":"chatham"}`},
			{path: "/threads", body: `{"theme_id":{theme},"kind":"rant","title":"","body":"","attribution":"record"}`}}},
	{op: "GET /threads/{ref}", by: member, valid: call{path: "/threads/{thread}"}, invalid: []call{{path: "/threads/" + nowhere}}},
	{op: "POST /threads/{ref}/posts", by: member, valid: call{path: "/threads/{thread}/posts", body: `{"body":"Kenya publishes its fees too.","quote_post_id":{opening}}`},
		invalid: []call{{path: "/threads/{thread}/posts", body: `{"body":"  "}`}, {path: "/threads/" + nowhere + "/posts", body: `{"body":"Hello"}`}}},
	{op: "POST /preview", by: member, valid: call{path: "/preview", body: `{"body":"**Fees** are [published](https://example.org)."}`},
		invalid: []call{{path: "/preview", body: `{`}, {path: "/preview", body: `{"body":1}`}}},
	{op: "POST /threads/{ref}/status", by: business, valid: call{path: "/threads/{thread}/status", body: `{"to":"open","note":"New fees since May."}`},
		invalid: []call{{path: "/threads/{thread}/status", body: `{"to":"nonsense"}`}, {path: "/threads/{thread}/status", body: `{"to":"answered","post_id":` + nowhere + `}`}}},
	{op: "POST /posts/{id}/useful", by: member, valid: call{path: "/posts/{opening}/useful"}, invalid: []call{{path: "/posts/" + nowhere + "/useful"}}},
	{op: "PUT /threads/{ref}/read", by: member, valid: call{path: "/threads/{thread}/read", body: `{"post_id":{reply}}`},
		invalid: []call{{path: "/threads/{thread}/read", body: `{"post_id":-1}`}, {path: "/threads/" + nowhere + "/read", body: `{"post_id":1}`}}},
	{op: "PUT /threads/{ref}/watch", by: member, valid: call{path: "/threads/{thread}/watch", body: `{"level":"watch"}`},
		invalid: []call{{path: "/threads/{thread}/watch", body: `{"level":"always"}`}}},
	{op: "POST /threads/{ref}/switch", by: moderator, valid: call{path: "/threads/{moderated}/switch", body: `{"switch":"pinned","on":true}`},
		invalid: []call{{path: "/threads/{moderated}/switch", body: `{"switch":"sticky","on":true}`}, {path: "/threads/" + nowhere + "/switch", body: `{"switch":"pinned","on":true}`}}},
	{op: "POST /threads/{ref}/move", by: moderator, valid: call{path: "/threads/{moderated}/move", body: `{"theme_id":{other theme}}`},
		invalid: []call{{path: "/threads/{moderated}/move", body: `{"theme_id":` + nowhere + `}`}}},
	{op: "POST /threads/{ref}/attribution", by: moderator, valid: call{path: "/threads/{moderated}/attribution", body: `{"attribution":"personal"}`},
		invalid: []call{{path: "/threads/{moderated}/attribution", body: `{"attribution":"secret"}`}}},
	{op: "POST /threads/{ref}/curate", by: moderator, valid: call{path: "/threads/{moderated}/curate"}, invalid: []call{{path: "/threads/" + nowhere + "/curate"}}},
	{op: "PATCH /posts/{id}", by: member, valid: call{path: "/posts/{reply}", body: `{"body":"Chile answers: use the single window, since 2019."}`},
		invalid: []call{{path: "/posts/{reply}", body: `{"body":""}`}, {path: "/posts/" + nowhere, body: `{"body":"x"}`}}},
	{op: "GET /posts/{id}/revisions", by: member, valid: call{path: "/posts/{reply}/revisions"}, invalid: []call{{path: "/posts/" + nowhere + "/revisions"}}},
	{op: "POST /posts/{id}/flags", by: member, valid: call{path: "/posts/{flagged}/flags", body: `{"reason":"off_topic","note":"not customs"}`},
		invalid: []call{{path: "/posts/{flagged}/flags", body: `{"reason":"boring"}`}, {path: "/posts/" + nowhere + "/flags", body: `{"reason":"spam"}`}}},
	{op: "GET /flags", by: moderator, valid: call{path: "/flags"}},
	{op: "POST /flags/{id}", by: moderator, valid: call{path: "/flags/{flag}", body: `{"action":"dismiss"}`},
		invalid: []call{{path: "/flags/{flag}", body: `{"action":"ignore"}`}, {path: "/flags/" + nowhere, body: `{"action":"dismiss"}`}}},
	{op: "POST /posts/{id}/hide", by: moderator, valid: call{path: "/posts/{hidden}/hide"}, invalid: []call{{path: "/posts/" + nowhere + "/hide"}}},
	{op: "POST /posts/{id}/restore", by: moderator, valid: call{path: "/posts/{hidden}/restore"}, invalid: []call{{path: "/posts/" + nowhere + "/restore"}}},
	{op: "DELETE /posts/{id}", by: business, valid: call{path: "/posts/{deleted}"}, invalid: []call{{path: "/posts/" + nowhere}}},
	{op: "GET /notifications", by: business, valid: call{path: "/notifications"}},
	{op: "POST /notifications/read", by: business, valid: call{path: "/notifications/read", body: `{}`},
		invalid: []call{{path: "/notifications/read", body: `{"id":-1}`}, {path: "/notifications/read", body: `{"id":"all"}`}}},
	{op: "GET /consents", by: member, valid: call{path: "/consents"}},
	{op: "GET /consents/{id}", by: member, valid: call{path: "/consents/{consent}"}, invalid: []call{{path: "/consents/" + nowhere}}},
	{op: "PUT /consents/{id}", by: member, valid: call{path: "/consents/{consent}", body: `{"answer":"anonymous","note":"Name the delegation only."}`},
		invalid: []call{{path: "/consents/{consent}", body: `{"answer":"maybe"}`}, {path: "/consents/" + nowhere, body: `{"answer":"granted"}`}}},
	{op: "GET /organisations", by: moderator, valid: call{path: "/organisations?q=Chile&limit=10"}, invalid: []call{{path: "/organisations?limit=-1"}}},
	{op: "GET /organisations/{id}", by: moderator, valid: call{path: "/organisations/{organisation}"}, invalid: []call{{path: "/organisations/" + nowhere}}},
	{op: "PATCH /organisations/{id}", by: moderator, valid: call{path: "/organisations/{organisation}", body: `{"name":"Delegation of Chile","country":"CL"}`},
		invalid: []call{{path: "/organisations/{organisation}", body: `{"kind":"club"}`}, {path: "/organisations/" + nowhere, body: `{"name":"X"}`}}},
	{op: "POST /organisations/{id}/merge", by: moderator, valid: call{path: "/organisations/{merged organisation}/merge", body: `{"into":{organisation}}`},
		invalid: []call{{path: "/organisations/{organisation}/merge", body: `{"into":` + nowhere + `}`}, {path: "/organisations/{organisation}/merge", body: `{"into":{organisation}}`}}},
	{op: "GET /tokens", by: business, valid: call{path: "/tokens"}},
	{op: "POST /tokens", by: business, session: true, valid: call{path: "/tokens", body: `{"name":"nightly export"}`},
		invalid: []call{{path: "/tokens", body: `{"name":""}`}, {path: "/tokens", body: `{"name":"` + long + `"}`}}},
	{op: "DELETE /tokens/{id}", by: business, valid: call{path: "/tokens/{spare token}"}, invalid: []call{{path: "/tokens/" + nowhere}}},
	{op: "GET /asyncapi.json", by: anonymous, valid: call{path: "/asyncapi.json"}},
	{op: "PATCH /me", by: business, valid: call{path: "/me", body: `{"name":"Ana Ruiz","locale":"en","time_zone":"America/Lima"}`},
		invalid: []call{{path: "/me", body: `{"name":""}`}, {path: "/me", body: `{"time_zone":"Mars/Olympus"}`}, {path: "/me", body: `{"email":"x@x.example"}`}}},
	{op: "GET /account-requests", by: moderator, valid: call{path: "/account-requests"}},
	{op: "POST /account-requests/{id}/approve", by: moderator, valid: call{path: "/account-requests/{pending}/approve", body: `{"role":"business"}`},
		invalid: []call{{path: "/account-requests/{rejected}/approve", body: `{"role":"king"}`}, {path: "/account-requests/" + nowhere + "/approve", body: `{"role":"business"}`}}},
	{op: "POST /account-requests/{id}/reject", by: moderator, valid: call{path: "/account-requests/{rejected}/reject"},
		invalid: []call{{path: "/account-requests/" + nowhere + "/reject"}}},
	{op: "GET /invitations", by: moderator, valid: call{path: "/invitations"}},
	{op: "POST /invitations", by: moderator, valid: call{path: "/invitations", body: `{"email":"new@x.example","role":"member","lang":"fr","organisation_id":{organisation}}`},
		invalid: []call{{path: "/invitations", body: `{"email":"not an address","role":"member","organisation_id":{organisation}}`},
			{path: "/invitations", body: `{"email":"x@x.example","role":"king","organisation_id":{organisation}}`}}},
	{op: "DELETE /invitations/{id}", by: moderator, valid: call{path: "/invitations/{invitation}"}, invalid: []call{{path: "/invitations/" + nowhere}}},
	{op: "GET /users", by: admin, valid: call{path: "/users?role=member&limit=10"}, invalid: []call{{path: "/users?role=king"}}},
	{op: "PUT /users/{id}/role", by: admin, valid: call{path: "/users/{person}/role", body: `{"role":"moderator"}`},
		invalid: []call{{path: "/users/{person}/role", body: `{"role":"king"}`}, {path: "/users/" + nowhere + "/role", body: `{"role":"member"}`}}},
	{op: "PUT /users/{id}/status", by: admin, valid: call{path: "/users/{person}/status", body: `{"status":"suspended"}`},
		invalid: []call{{path: "/users/{person}/status", body: `{"status":"gone"}`}, {path: "/users/" + nowhere + "/status", body: `{"status":"active"}`}}},
	{op: "GET /audit", by: admin, valid: call{path: "/audit?action=theme.create&limit=5"}, invalid: []call{{path: "/audit?actor_id=x"}}},
	{op: "GET /notification-preferences", by: business, valid: call{path: "/notification-preferences"}},
	{op: "PUT /notification-preferences", by: business, valid: call{path: "/notification-preferences", body: `{"channels":{"reply":"email"},"digest":"weekly"}`},
		invalid: []call{{path: "/notification-preferences", body: `{"channels":{"reply":"pigeon"}}`}, {path: "/notification-preferences", body: `{"digest":"hourly"}`}}},
	{op: "GET /mention-suggestions", by: member, valid: call{path: "/mention-suggestions?q=te&thread={thread}"},
		invalid: []call{{path: "/mention-suggestions?q=te&thread=" + nowhere}, {path: "/mention-suggestions?q=te&attribution=secret"}}},
	{op: "GET /events/{ref}/agenda", by: anonymous, valid: call{path: "/events/{event}/agenda"}, invalid: []call{{path: "/events/" + nowhere + "/agenda"}}},
	{op: "POST /events/{ref}/agenda", by: moderator, valid: call{path: "/events/{event}/agenda", body: `{"thread_id":{agenda thread}}`},
		invalid: []call{{path: "/events/{event}/agenda", body: `{"thread_id":` + nowhere + `}`}, {path: "/events/" + nowhere + "/agenda", body: `{"thread_id":{agenda thread}}`}}},
	{op: "PUT /events/{ref}/agenda/{item}", by: moderator, valid: call{path: "/events/{event}/agenda/{agenda item}", body: `{"position":1}`},
		invalid: []call{{path: "/events/{event}/agenda/{agenda item}", body: `{"position":0}`}, {path: "/events/{event}/agenda/" + nowhere, body: `{"position":1}`}}},
	{op: "POST /events/{ref}/agenda/{item}/outcome", by: moderator, valid: call{path: "/events/{event}/agenda/{agenda item}/outcome", body: `{"en":"The meeting asked for a table of fees.","close":false}`},
		invalid: []call{{path: "/events/{event}/agenda/{agenda item}/outcome", body: `{"en":"","fr":"","es":""}`},
			{path: "/events/{event}/agenda/" + nowhere + "/outcome", body: `{"en":"x"}`}}},
	{op: "DELETE /events/{ref}/agenda/{item}", by: moderator, valid: call{path: "/events/{event}/agenda/{spare agenda item}"},
		invalid: []call{{path: "/events/{event}/agenda/" + nowhere}}},
	{op: "POST /attachments", by: business, contentType: multipartType, valid: call{path: "/attachments", body: "{attachment upload}"},
		invalid: []call{{path: "/attachments", body: "{upload without file}"}}},
	{op: "GET /attachments/{id}", by: business, valid: call{path: "/attachments/{attachment}"}, invalid: []call{{path: "/attachments/" + nowhere}}},
	{op: "GET /events/{ref}/registration", by: member, valid: call{path: "/events/{event}/registration"}, invalid: []call{{path: "/events/" + nowhere + "/registration"}}},
	{op: "POST /events/{ref}/registration", by: business, valid: call{path: "/events/{event}/registration", body: `{"attendance":"online"}`},
		invalid: []call{{path: "/events/{event}/registration", body: `{"attendance":"by pigeon"}`}, {path: "/events/" + nowhere + "/registration", body: `{}`}}},
	{op: "GET /events/{ref}/registrations", by: moderator, valid: call{path: "/events/{event}/registrations"}, invalid: []call{{path: "/events/" + nowhere + "/registrations"}}},
	{op: "POST /events/{ref}/registrations/{rid}/checkin", by: moderator, valid: call{path: "/events/{event}/registrations/{registration}/checkin"},
		invalid: []call{{path: "/events/{event}/registrations/" + nowhere + "/checkin"}}},
	{op: "GET /events/{ref}/registration-settings", by: moderator, valid: call{path: "/events/{event}/registration-settings"},
		invalid: []call{{path: "/events/" + nowhere + "/registration-settings"}}},
	// The settings the setup gave, kept, so the rows after still register.
	{op: "PUT /events/{ref}/registration-settings", by: moderator, valid: call{path: "/events/{event}/registration-settings",
		body: `{"enabled":true,"open_businesses":true,"open_members":true,"ask_attendance":true,"deadline":null,"capacity":0}`},
		invalid: []call{{path: "/events/{event}/registration-settings", body: `{"enabled":true,"capacity":-1,"deadline":"tomorrow"}`},
			{path: "/events/{event}/registration-settings", body: `{"enabled":"yes"}`},
			{path: "/events/" + nowhere + "/registration-settings", body: `{}`}}},
	// Last of the meeting's rows: every caller cancels their registration, the member's included.
	{op: "DELETE /events/{ref}/registration", by: business, valid: call{path: "/events/{event}/registration"}, invalid: []call{{path: "/events/" + nowhere + "/registration"}}},
}

const (
	eventBody     = `{"title":"Working group on transit","starts_at":"2030-11-01T09:00","ends_at":"2030-11-01T17:00","timezone":"Europe/Zurich","place":"Geneva","visibility":"public"}`
	sessionBody   = `{"starts_at":"2030-11-01T10:00","ends_at":"2030-11-01T11:00","title":"Opening","languages":["en"]}`
	multipartType = "multipart/form-data; boundary=conformance"
)

var long = strings.Repeat("x", 400)

// conformance is a server with one signed-in caller of each kind and the
// rows the table's placeholders name.
type conformance struct {
	app     *servertest.App
	doc     *openapi3.T
	router  routers.Router
	headers map[string]http.Header // per caller, by token
	session map[string]http.Header // per caller, by session cookie
	fill    *strings.Replacer
	calls   int
}

func newConformance(t *testing.T, engine storetest.Engine) *conformance {
	t.Helper()
	app := servertest.New(t, engine, nil)
	ctx := context.Background()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("openapi.json")
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: app.URL + "/api/v1"}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	cf := &conformance{app: app, doc: doc, router: router, headers: map[string]http.Header{anonymous: {}},
		session: map[string]http.Header{anonymous: {}}}
	cf.headers[badToken] = http.Header{"Authorization": {"Bearer ixp_" + strings.Repeat("A", 43)}}
	cf.session[badToken] = cf.headers[badToken]
	clients := map[string]*servertest.Client{}
	for _, u := range []struct {
		caller, email, org string
		role               store.Role
		kind               store.OrgKind
	}{
		{business, "biz@x.example", "Andes Textiles", store.RoleBusiness, store.OrgBusiness},
		{member, "del@x.example", "Delegation of Chile", store.RoleMember, store.OrgMember},
		{moderator, "mod@x.example", "WTO Secretariat", store.RoleModerator, store.OrgSecretariat},
		{admin, "admin@x.example", "WTO Secretariat ICT", store.RoleAdmin, store.OrgSecretariat},
	} {
		app.CreateUser(u.email, u.role, u.org, u.kind)
		c := app.Client()
		c.SignIn(u.email)
		clients[u.caller] = c
		cf.session[u.caller] = c.BrowserHeader()
		var tok struct{ Token string }
		setupJSON(t, c, "POST", "/tokens", `{"name":"conformance"}`, &tok)
		cf.headers[u.caller] = http.Header{"Authorization": {"Bearer " + tok.Token}}
	}
	merged := app.CreateUser("peru@x.example", store.RoleMember, "Delegation of Peru", store.OrgMember)
	biz, del, mod := clients[business], clients[member], clients[moderator]

	themes, err := app.Store.Themes(ctx, false)
	if err != nil || len(themes) < 2 {
		t.Fatalf("themes: %d, %v", len(themes), err)
	}
	spare := store.Theme{Slug: "spare", NameEN: "Spare", NameFR: "Réserve", NameES: "Reserva", Position: 99}
	if err := app.Store.SaveTheme(ctx, 0, &spare); err != nil {
		t.Fatal(err)
	}
	var category, thread, moderated, reply, document, file, event, session, spareSession, token, consent struct{ ID int64 }
	setupJSON(t, mod, "POST", "/categories", `{"slug":"reports","name_en":"Reports","name_fr":"Rapports","name_es":"Informes"}`, &category)
	newThread := fmt.Sprintf(`{"theme_id":%d,"kind":"challenge","title":"Border fees","body":"Fees are not published.","attribution":"record"}`, themes[0].ID)
	setupJSON(t, biz, "POST", "/threads", newThread, &thread)
	setupJSON(t, biz, "POST", "/threads", newThread, &moderated)
	setupJSON(t, del, "POST", fmt.Sprintf("/threads/%d/posts", thread.ID), `{"body":"Chile publishes them online."}`, &reply)
	var opening struct {
		Posts []struct{ ID int64 } `json:"posts"`
	}
	setupJSON(t, biz, "GET", fmt.Sprintf("/threads/%d", thread.ID), "", &opening)
	setupJSON(t, biz, "POST", fmt.Sprintf("/threads/%d/status", thread.ID), fmt.Sprintf(`{"to":"answered","post_id":%d}`, reply.ID), nil)
	setupJSON(t, mod, "POST", fmt.Sprintf("/threads/%d/curate", thread.ID), "", &consent)
	var flagged, hidden, deleted struct{ ID int64 }
	setupJSON(t, biz, "POST", fmt.Sprintf("/threads/%d/posts", moderated.ID), `{"body":"Buy our stamps."}`, &flagged)
	setupJSON(t, del, "POST", fmt.Sprintf("/threads/%d/posts", moderated.ID), `{"body":"Off topic."}`, &hidden)
	setupJSON(t, biz, "POST", fmt.Sprintf("/threads/%d/posts", moderated.ID), `{"body":"Posted in error."}`, &deleted)
	setupJSON(t, del, "POST", fmt.Sprintf("/posts/%d/flags", hidden.ID), `{"reason":"spam"}`, nil)
	var queue struct {
		Flags []struct{ ID int64 } `json:"flags"`
	}
	setupJSON(t, mod, "GET", "/flags", "", &queue)
	if len(queue.Flags) == 0 {
		t.Fatal("no flag in the queue")
	}
	setupJSON(t, mod, "POST", "/documents", `{"title":"Fees note","symbol":"INF/1","date":"2019-10-01","visibility":"public","status":"published"}`, &document)
	r := mod.Do("POST", fmt.Sprintf("/api/v1/documents/%d/files", document.ID), strings.NewReader(uploadBody("en", true)), multipartType)
	if r.Status != http.StatusCreated || json.Unmarshal([]byte(r.Body), &file) != nil {
		t.Fatalf("setup upload: %d %s", r.Status, r.Body)
	}
	setupJSON(t, mod, "POST", "/events", eventBody, &event)
	setupJSON(t, mod, "POST", fmt.Sprintf("/events/%d/sessions", event.ID), sessionBody, &session)
	setupJSON(t, mod, "POST", fmt.Sprintf("/events/%d/sessions", event.ID), sessionBody, &spareSession)
	setupJSON(t, biz, "POST", "/tokens", `{"name":"to revoke"}`, &token)
	me, err := app.Store.UserByEmail(ctx, "del@x.example")
	if err != nil {
		t.Fatal(err)
	}
	// The meeting takes registrations from businesses and members; the member registers.
	if err := app.Store.SaveRegistrationSettings(ctx, 0, &store.RegistrationSettings{EventID: event.ID, Enabled: true,
		OpenBusinesses: true, OpenMembers: true, AskAttendance: true}); err != nil {
		t.Fatal(err)
	}
	var registration struct{ ID int64 }
	setupJSON(t, del, "POST", fmt.Sprintf("/events/%d/registration", event.ID), `{"attendance":"in_person"}`, &registration)
	var uploads struct {
		Attachments []struct{ ID int64 } `json:"attachments"`
	}
	if r := biz.Do("POST", "/api/v1/attachments", strings.NewReader(attachmentBody), multipartType); r.Status != http.StatusCreated ||
		json.Unmarshal([]byte(r.Body), &uploads) != nil || len(uploads.Attachments) != 1 {
		t.Fatalf("setup attachment: %d %s", r.Status, r.Body)
	}
	pending := app.CreateUser("wait@x.example", store.RolePending, "Waiting Ltd", store.OrgBusiness)
	rejected := app.CreateUser("spam@x.example", store.RolePending, "Spam Ltd", store.OrgBusiness)
	person := app.CreateUser("person@x.example", store.RoleMember, "Delegation of Kenya", store.OrgMember)
	var invitation, agendaItem, spareAgendaItem struct{ ID int64 }
	setupJSON(t, mod, "POST", "/invitations", fmt.Sprintf(`{"email":"invitee@x.example","role":"member","organisation_id":%d}`, me.OrganisationID), &invitation)
	// Challenges of their own for the agenda, which refers them to the meeting.
	agendaThreads := make([]struct{ ID int64 }, 3)
	for i := range agendaThreads {
		setupJSON(t, biz, "POST", "/threads", newThread, &agendaThreads[i])
	}
	setupJSON(t, mod, "POST", fmt.Sprintf("/events/%d/agenda", event.ID), fmt.Sprintf(`{"thread_id":%d}`, agendaThreads[0].ID), &agendaItem)
	setupJSON(t, mod, "POST", fmt.Sprintf("/events/%d/agenda", event.ID), fmt.Sprintf(`{"thread_id":%d}`, agendaThreads[1].ID), &spareAgendaItem)

	ids := map[string]int64{"theme": themes[0].ID, "other theme": themes[1].ID, "spare theme": spare.ID, "category": category.ID,
		"thread": thread.ID, "moderated": moderated.ID, "opening": opening.Posts[0].ID, "reply": reply.ID, "flagged": flagged.ID,
		"hidden": hidden.ID, "deleted": deleted.ID, "flag": queue.Flags[0].ID, "document": document.ID, "file": file.ID, "event": event.ID,
		"session": session.ID, "spare session": spareSession.ID, "spare token": token.ID, "consent": consent.ID,
		"organisation": me.OrganisationID, "merged organisation": merged.OrganisationID, "pending": pending.ID, "rejected": rejected.ID,
		"person": person.ID, "registration": registration.ID, "attachment": uploads.Attachments[0].ID, "invitation": invitation.ID, "agenda thread": agendaThreads[2].ID, "agenda item": agendaItem.ID,
		"spare agenda item": spareAgendaItem.ID}
	var pairs []string
	for name, id := range ids {
		if id == 0 {
			t.Fatalf("setup: no %s", name)
		}
		pairs = append(pairs, "{"+name+"}", fmt.Sprint(id))
	}
	// The table's uploads are in French, so that the English file stays current (downloadable by all).
	pairs = append(pairs, "{upload}", uploadBody("fr", true), "{upload without file}", uploadBody("fr", false), "{attachment upload}", attachmentBody)
	cf.fill = strings.NewReplacer(pairs...)
	return cf
}

// uploadBody is a multipart form with a small text file in lang.
func uploadBody(lang string, withFile bool) string {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.SetBoundary("conformance")
	_ = mw.WriteField("lang", lang)
	if withFile {
		fw, _ := mw.CreateFormFile("file", "fees.txt")
		_, _ = fw.Write([]byte("Border fees, 2019.\n"))
	}
	_ = mw.Close()
	return b.String()
}

// attachmentBody is a post's upload: one small text file.
var attachmentBody = func() string {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.SetBoundary("conformance")
	fw, _ := mw.CreateFormFile("file", "fees.txt")
	_, _ = fw.Write([]byte("Fees paid at the border, 2019.\n"))
	_ = mw.Close()
	return b.String()
}()

// setupJSON calls the API to build the fixture, failing unless it works.
func setupJSON(t *testing.T, c *servertest.Client, method, path, body string, into any) {
	t.Helper()
	r := c.Do(method, "/api/v1"+path, strings.NewReader(body), "application/json")
	if r.Status >= 300 {
		t.Fatalf("setup %s %s: %d %s", method, path, r.Status, r.Body)
	}
	if into != nil {
		if err := json.Unmarshal([]byte(r.Body), into); err != nil {
			t.Fatalf("setup %s %s: %v\n%s", method, path, err, r.Body)
		}
	}
}

// check sends a row's valid input as its caller first (so that a call
// that consumes its target, a deletion, is theirs), then its invalid ones,
// then both as every other caller.
func (cf *conformance) check(t *testing.T, row conformanceRow) {
	method := strings.Fields(row.op)[0]
	order := []string{row.by}
	for _, c := range conformanceCallers {
		if c != row.by {
			order = append(order, c)
		}
	}
	if len(row.invalid) == 0 {
		if op := cf.operation(row.op); op != nil && (len(op.Parameters) > 0 || op.RequestBody != nil) {
			t.Errorf("%s takes input but its row has no invalid input", row.op)
		}
	}
	invalid := row.invalid
	if op := cf.operation(row.op); op != nil && op.RequestBody != nil && op.RequestBody.Value.Content.Get("application/json") != nil {
		// Every JSON body is also sent broken, which each decoder refuses alike.
		invalid = append(invalid[:len(invalid):len(invalid)], call{path: row.valid.path, body: `{"`})
	}
	for _, caller := range order {
		status := cf.send(t, row, caller, method, row.valid, true)
		if caller == row.by && (status < 200 || status > 299) {
			t.Errorf("%s as %s with a valid input (%s): got %d, want 2xx", row.op, caller, cf.fill.Replace(row.valid.path), status)
		}
		for _, in := range invalid {
			status := cf.send(t, row, caller, method, in, false)
			if !in.tolerated && (status < 400 || status > 499) {
				t.Errorf("%s as %s with an invalid input (%s): got %d, want 4xx", row.op, caller, cf.fill.Replace(in.path), status)
			}
		}
	}
}

func (cf *conformance) operation(op string) *openapi3.Operation {
	method, path, _ := strings.Cut(op, " ")
	item := cf.doc.Paths.Value(path)
	if item == nil {
		return nil
	}
	return item.GetOperation(method)
}

// send makes one call and validates the answer against the document; it
// returns the status.
func (cf *conformance) send(t *testing.T, row conformanceRow, caller, method string, in call, valid bool) int {
	t.Helper()
	path, body := cf.fill.Replace(in.path), cf.fill.Replace(in.body)
	what := fmt.Sprintf("%s as %s (%s %s)", row.op, caller, method, path)
	ctype := row.contentType
	if ctype == "" {
		ctype = "application/json"
	}
	header := cf.headers[caller]
	if row.session {
		header = cf.session[caller]
	}
	newRequest := func() *http.Request {
		req, err := http.NewRequest(method, cf.app.URL+"/api/v1"+path, strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		if body != "" {
			req.Header.Set("Content-Type", ctype)
		}
		return req
	}
	cf.calls++
	resp, err := http.DefaultTransport.RoundTrip(newRequest())
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		t.Errorf("%s: %d %s\nlogs: %s", what, resp.StatusCode, got, lastLines(cf.app.Logs(), 3))
		return resp.StatusCode
	}
	op := cf.operation(row.op)
	if caller == badToken && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("%s: got %d, want 401 for a token that is not one", what, resp.StatusCode)
	}
	if caller == anonymous && op != nil && op.Security != nil && !optionalCaller(*op.Security) && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("%s: got %d, want 401 for an operation that needs a caller", what, resp.StatusCode)
	}

	req := newRequest()
	route, params, err := cf.router.FindRoute(req)
	if err != nil {
		t.Errorf("%s: the document has no such operation: %v", what, err)
		return resp.StatusCode
	}
	if route.Method+" "+route.Path != row.op {
		t.Errorf("%s: the document routes it to %s %s, not %s", what, route.Method, route.Path, row.op)
	}
	reqIn := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if valid && caller == row.by {
		if err := openapi3filter.ValidateRequest(context.Background(), reqIn); err != nil {
			t.Errorf("%s: the valid input does not match the documented request: %v", what, err)
		}
	}
	respIn := &openapi3filter.ResponseValidationInput{RequestValidationInput: reqIn, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	respIn.SetBodyBytes(got)
	if err := openapi3filter.ValidateResponse(context.Background(), respIn); err != nil {
		t.Errorf("%s: the answer %d does not conform: %v\n%s", what, resp.StatusCode, err, excerpt(got))
	}
	if resp.StatusCode == http.StatusUnprocessableEntity && op != nil {
		checkFieldNames(t, what, op, got)
	}
	return resp.StatusCode
}

// checkFieldNames: a validation error names the properties the client
// sent (starts_at, theme_id), never the form fields the pages use behind
// them (starts, theme): each name must be a property of the documented
// request body or a parameter, a nested one by its first part
// (channels.reply).
func checkFieldNames(t *testing.T, what string, op *openapi3.Operation, body []byte) {
	t.Helper()
	var answer struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &answer) != nil {
		return
	}
	known := map[string]bool{}
	for _, p := range op.Parameters {
		known[p.Value.Name] = true
	}
	if op.RequestBody != nil {
		for _, media := range op.RequestBody.Value.Content {
			if media.Schema != nil {
				for name := range media.Schema.Value.Properties {
					known[name] = true
				}
			}
		}
	}
	for field := range answer.Error.Fields {
		if name, _, _ := strings.Cut(strings.SplitN(field, "[", 2)[0], "."); !known[name] {
			t.Errorf("%s: the error names %q, which is neither a documented property of the request nor a parameter", what, field)
		}
	}
}

// optionalCaller reports whether an operation also takes no credentials
// (an empty security requirement), as the public reads do.
func optionalCaller(reqs openapi3.SecurityRequirements) bool {
	for _, r := range reqs {
		if len(r) == 0 {
			return true
		}
	}
	return false
}

func excerpt(b []byte) string {
	s := regexp.MustCompile(`\s+`).ReplaceAllString(string(b), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// TestAPIWrongMethod: a method the document does not list for a path is
// answered 405 with an Allow header naming those it lists, in the API's
// error shape (RFC 9110 §15.5.6), not 404 as if the path did not exist.
func TestAPIWrongMethod(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	doc, err := openapi3.NewLoader().LoadFromFile("openapi.json")
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	sample := regexp.MustCompile(`\{[^}]*\}`)
	for _, path := range doc.Paths.InMatchingOrder() {
		ops := doc.Paths.Value(path).Operations()
		var wrong string
		for _, m := range []string{"PATCH", "DELETE", "PUT", "POST"} {
			if _, ok := ops[m]; !ok {
				wrong = m
				break
			}
		}
		if wrong == "" {
			continue
		}
		r := app.Client().Do(wrong, "/api/v1"+sample.ReplaceAllString(path, "1"), strings.NewReader(""), "")
		if r.Status != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: got %d, want 405", wrong, path, r.Status)
			continue
		}
		allow := r.Header.Get("Allow")
		for m := range ops {
			if !strings.Contains(allow, m) {
				t.Errorf("%s %s: Allow %q lacks %s", wrong, path, allow, m)
			}
		}
		assertAPIError(t, r, "method_not_allowed")
	}
}
