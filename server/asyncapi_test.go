package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"ideasx/server/servertest"
	"ideasx/store/storetest"
)

// asyncAPIBase is where the test pretends the documents are served: the
// AsyncAPI document's event data refer to "openapi.json" beside it.
const asyncAPIBase = "https://ideasx.test/api/v1/"

// protocolSchemas are the message payload schemas of the AsyncAPI
// document, by message type: what clients may send, and what the server
// sends (a "typing" goes both ways, with different shapes).
type protocolSchemas struct {
	client, server map[string]*jsonschema.Schema
}

// loadProtocol compiles the payloads of the AsyncAPI document the server
// serves, with the OpenAPI document it serves for the schemas they share,
// and checks that each message's examples match its own schema.
func loadProtocol(t *testing.T, app *servertest.App) protocolSchemas {
	t.Helper()
	c := jsonschema.NewCompiler()
	var doc struct {
		AsyncAPI   string `json:"asyncapi"`
		Operations map[string]struct {
			Action   string              `json:"action"`
			Messages []map[string]string `json:"messages"`
			Reply    struct {
				Messages []map[string]string `json:"messages"`
			} `json:"reply"`
		} `json:"operations"`
		Components struct {
			Messages map[string]struct {
				Payload struct {
					Properties struct {
						Type struct {
							Const string `json:"const"`
						} `json:"type"`
					} `json:"properties"`
				} `json:"payload"`
				Examples []struct {
					Payload json.RawMessage `json:"payload"`
				} `json:"examples"`
			} `json:"messages"`
		} `json:"components"`
	}
	for _, name := range []string{"asyncapi.json", "openapi.json"} {
		r := app.Client().Get("/api/v1/" + name)
		if r.Status != http.StatusOK {
			t.Fatalf("GET /api/v1/%s: %d", name, r.Status)
		}
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s does not parse: %v", name, err)
		}
		if err := c.AddResource(asyncAPIBase+name, v); err != nil {
			t.Fatal(err)
		}
		if name == "asyncapi.json" {
			if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !strings.HasPrefix(doc.AsyncAPI, "3.") {
		t.Fatalf("asyncapi %q, want a 3.x document", doc.AsyncAPI)
	}
	p := protocolSchemas{client: map[string]*jsonschema.Schema{}, server: map[string]*jsonschema.Schema{}}
	add := func(into map[string]*jsonschema.Schema, refs []map[string]string) {
		for _, ref := range refs {
			key := ref["$ref"][strings.LastIndex(ref["$ref"], "/")+1:]
			m, ok := doc.Components.Messages[key]
			if !ok {
				t.Fatalf("operation message %s: no components/messages/%s", ref["$ref"], key)
			}
			sch, err := c.Compile(asyncAPIBase + "asyncapi.json#/components/messages/" + key + "/payload")
			if err != nil {
				t.Fatalf("message %s: %v", key, err)
			}
			for i, ex := range m.Examples {
				v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(ex.Payload))
				if err := sch.Validate(v); err != nil {
					t.Errorf("message %s, example %d does not match its payload schema: %v", key, i, err)
				}
			}
			into[m.Payload.Properties.Type.Const] = sch
		}
	}
	for name, op := range doc.Operations {
		switch op.Action {
		case "receive": // the document speaks for the server: it receives what clients send
			add(p.client, op.Messages)
			add(p.server, op.Reply.Messages)
		case "send":
			add(p.server, op.Messages)
		default:
			t.Fatalf("operation %s: action %q", name, op.Action)
		}
	}
	return p
}

// protoConn is a websocket connection whose every message, both ways, is
// checked against the document.
type protoConn struct {
	t     *testing.T
	name  string
	ws    *websocket.Conn
	p     protocolSchemas
	lines chan []byte
	seen  *sync.Map
}

func dialProto(t *testing.T, app *servertest.App, p protocolSchemas, name string, h http.Header, seen *sync.Map) *protoConn {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(app.WSURL(), h)
	if err != nil {
		t.Fatalf("%s: dial: %v (%v)", name, err, resp)
	}
	t.Cleanup(func() { ws.Close() })
	c := &protoConn{t: t, name: name, ws: ws, p: p, lines: make(chan []byte, 1024), seen: seen}
	go func() {
		defer close(c.lines)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			for _, line := range bytes.Split(data, []byte{'\n'}) {
				c.lines <- line
			}
		}
	}()
	return c
}

// send writes a client message, which the document must describe.
func (c *protoConn) send(raw string) {
	c.t.Helper()
	c.check(c.p.client, "client", []byte(raw))
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(raw)); err != nil {
		c.t.Fatal(err)
	}
}

// sendRaw writes what no schema describes: a malformed message.
func (c *protoConn) sendRaw(raw string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(raw)); err != nil {
		c.t.Fatal(err)
	}
}

// check validates one message against the schema of its type.
func (c *protoConn) check(schemas map[string]*jsonschema.Schema, side string, line []byte) map[string]any {
	c.t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
	if err != nil {
		c.t.Errorf("%s: %s message is not JSON: %q", c.name, side, line)
		return nil
	}
	m, _ := v.(map[string]any)
	typ, _ := m["type"].(string)
	sch, ok := schemas[typ]
	if !ok {
		c.t.Errorf("%s: %s message of type %q, which the AsyncAPI document does not describe: %s", c.name, side, typ, line)
		return m
	}
	if err := sch.Validate(v); err != nil {
		c.t.Errorf("%s: %s message does not match the AsyncAPI document: %s\n%v", c.name, side, line, err)
	}
	if side == "server" {
		c.seen.Store(typ, true)
	}
	return m
}

// expect reads, checking each, until a server message of type typ (on
// topic, if given; with code, if given) arrives.
func (c *protoConn) expect(typ, topic, code string) map[string]any {
	c.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("%s: connection ended waiting for %s %s %s", c.name, typ, topic, code)
			}
			m := c.check(c.p.server, "server", line)
			if m["type"] == typ && (topic == "" || m["topic"] == topic) && (code == "" || m["code"] == code) {
				return m
			}
		case <-timeout:
			c.t.Fatalf("%s: no %s %s %s within 10 s", c.name, typ, topic, code)
		}
	}
}

// TestWebsocketMessagesMatchAsyncAPI runs a real session (subscriptions,
// catch-up, events of posts, threads, documents and notifications,
// presence, typing, every kind of refusal) and holds every message the
// server sends, and every one the test sends, to the AsyncAPI document
// the server serves.
func TestWebsocketMessagesMatchAsyncAPI(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	p := loadProtocol(t, app)
	f := newLiveFixture(t, app, "record")
	seen := &sync.Map{}
	del := dialProto(t, app, p, "member", f.del.BrowserHeader(), seen)
	biz := dialProto(t, app, p, "business", f.biz.BrowserHeader(), seen)
	thread := fmt.Sprintf("thread:%d", f.thread)
	theme := fmt.Sprintf("theme:%d", themeID(t, app))

	del.expect("subscribed", fmt.Sprintf("user:%d", f.delUsr.ID), "")
	for _, topic := range []string{"forum", "documents", theme} {
		del.send(fmt.Sprintf(`{"type":"subscribe","topic":%q}`, topic))
		del.expect("subscribed", topic, "")
	}
	// A catch-up from 0: the thread's opening post comes again.
	del.send(fmt.Sprintf(`{"type":"subscribe","topic":%q,"since":0}`, thread))
	del.expect("subscribed", thread, "")
	del.expect("post.created", thread, "")
	biz.send(fmt.Sprintf(`{"type":"subscribe","topic":%q}`, thread))
	biz.expect("subscribed", thread, "")
	del.expect("presence", thread, "")
	biz.send(fmt.Sprintf(`{"type":"typing","topic":%q}`, thread))
	del.expect("typing", thread, "")

	// Events: a reply (which tells the thread's author), its edit and deletion.
	id := reply(t, f.del, f.thread, "Two weeks in Montevideo.")
	del.expect("post.created", thread, "")
	del.expect("thread.updated", "", "")
	biz.expect("notification", fmt.Sprintf("user:%d", f.bizUser.ID), "")
	if r := f.del.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", id), strings.NewReader(`{"body":"Two weeks in Montevideo, ten days in Asunción."}`), "application/json"); r.Status != http.StatusOK {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	del.expect("post.updated", thread, "")
	if r := f.del.Do("DELETE", fmt.Sprintf("/api/v1/posts/%d", id), nil, ""); r.Status >= 300 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	del.expect("post.deleted", thread, "")
	if r := f.biz.Do("POST", "/api/v1/notifications/read", strings.NewReader(`{"id":0}`), "application/json"); r.Status != http.StatusOK {
		t.Fatalf("read notifications: %d %s", r.Status, r.Body)
	}
	biz.expect("notification.read", fmt.Sprintf("user:%d", f.bizUser.ID), "")
	postThread(t, f.biz, themeID(t, app), "Rules of origin for textiles", "record")
	del.expect("thread.created", theme, "")
	seedLibrary(t, app)
	del.expect("document.updated", "documents", "")
	// Another session of the business ends: its other connections hear of it.
	other := app.Client()
	other.SignIn("biz@x.example")
	other.Post("/signout", nil)
	biz.expect("account.changed", fmt.Sprintf("user:%d", f.bizUser.ID), "")

	// Refusals, each an error reply on an open connection.
	del.sendRaw(`not json`)
	del.expect("error", "", "bad_request")
	del.sendRaw(`{"type":"shout","topic":"forum"}`)
	del.expect("error", "", "unknown_type")
	del.sendRaw(`{"type":"subscribe","topic":"secret"}`)
	del.expect("error", "", "bad_topic")
	del.send(`{"type":"subscribe","topic":"user:999999"}`)
	del.expect("error", "user:999999", "forbidden")
	del.send(fmt.Sprintf(`{"type":"subscribe","topic":%q,"since":999999}`, thread))
	del.expect("reset", thread, "")
	del.send(fmt.Sprintf(`{"type":"unsubscribe","topic":%q}`, thread))

	var undescribed []string
	for typ := range p.server {
		if _, ok := seen.Load(typ); !ok {
			undescribed = append(undescribed, typ)
		}
	}
	if len(undescribed) > 0 {
		t.Errorf("the session never saw %v: the document describes messages the test does not check", undescribed)
	}
}
