package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// BenchmarkThreadPageUnderWSFlood measures what issue 11 saw: the latency
// of a thread page while 10 member connections send subscribe,
// unsubscribe and typing in a loop and 4 anonymous ones ask for the
// documents topic from seq 0 in a loop, with the websocket limits off
// ("before") and on. A flooder that is disconnected comes straight back,
// as an attacker would. One GET per iteration, one after the other; run
// it with a fixed count:
//
//	make bench-flood    (go test -run '^$' -bench ThreadPageUnderWSFlood -benchtime 200x ./server)
//
// The flooders run in the benchmark's process, beside the server: on a
// small machine they take CPU of their own, which the figures include.
// It reports p50 and p99 in ms, and what the flooders got out of the
// server: messages and MB received a second, and reconnections (what they
// send is no measure: it mostly fills socket buffers).
func BenchmarkThreadPageUnderWSFlood(b *testing.B) {
	for _, limits := range []bool{false, true} {
		for _, flood := range []bool{false, true} {
			b.Run(fmt.Sprintf("limits=%v/flood=%v", limits, flood), func(b *testing.B) {
				env := map[string]string{}
				if !limits {
					env["IDEASX_WS_MESSAGE_RATE"], env["IDEASX_WS_REPLAY_PER_MINUTE"] = "0", "0"
				}
				app := servertest.New(b, storetest.Postgres, env)
				s := seedFloodBench(b, app)
				var f *flooders
				if flood {
					f = startFlood(app, s)
					defer f.stop()
					time.Sleep(2 * time.Second) // past the first bursts
					f.reset()
				}
				lat := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for range b.N {
					start := time.Now()
					r := s.reader.Get(s.page)
					lat = append(lat, time.Since(start))
					if r.Status != http.StatusOK {
						b.Fatalf("thread page: %d", r.Status)
					}
				}
				b.StopTimer()
				slices.Sort(lat)
				ms := func(q float64) float64 {
					return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
				}
				b.ReportMetric(ms(0.50), "p50-ms")
				b.ReportMetric(ms(0.99), "p99-ms")
				b.ReportMetric(0, "ns/op")
				if f != nil {
					secs := time.Since(f.since()).Seconds()
					b.ReportMetric(float64(f.answers.Load())/secs, "flood-answers/s")
					b.ReportMetric(float64(f.received.Load())/secs/1e6, "flood-MB/s")
					b.ReportMetric(float64(f.reconnects.Load()), "flood-reconnects")
				}
			})
		}
	}
}

type floodBench struct {
	reader  *servertest.Client
	page    string
	thread  int64
	members []http.Header
}

// seedFloodBench makes a thread of 30 replies, 300 public documents (each
// an event on the documents topic) and 10 signed-in members.
func seedFloodBench(b *testing.B, app *servertest.App) floodBench {
	b.Helper()
	ctx := context.Background()
	app.CreateUser("biz@x.example", store.RoleBusiness, "Andes Textiles", store.OrgBusiness)
	app.CreateUser("reader@x.example", store.RoleMember, "Delegation of Chile", store.OrgMember)
	mod := app.CreateUser("mod@x.example", store.RoleModerator, "Secretariat", store.OrgSecretariat)
	biz, reader := app.Client(), app.Client()
	biz.SignIn("biz@x.example")
	reader.SignIn("reader@x.example")
	themes, err := app.Store.Themes(ctx, false)
	if err != nil || len(themes) == 0 {
		b.Fatalf("themes: %v", err)
	}
	r := biz.Do("POST", "/api/v1/threads", strings.NewReader(fmt.Sprintf(
		`{"theme_id":%d,"kind":"challenge","title":"Certificates of origin","body":"Three weeks per certificate.","attribution":"record"}`, themes[0].ID)), "application/json")
	if r.Status != http.StatusCreated {
		b.Fatalf("create thread: %d %s", r.Status, r.Body)
	}
	var th struct{ ID int64 }
	_ = json.Unmarshal([]byte(r.Body), &th)
	for i := range 30 {
		body := fmt.Sprintf(`{"body":"Reply %d: %s"}`, i, strings.Repeat("Customs brokers ask for the same papers twice. ", 8))
		if r := reader.Do("POST", fmt.Sprintf("/api/v1/threads/%d/posts", th.ID), strings.NewReader(body), "application/json"); r.Status != http.StatusCreated {
			b.Fatalf("reply: %d %s", r.Status, r.Body)
		}
	}
	for i := range 300 {
		d := &store.Document{Title: fmt.Sprintf("Trade facilitation note %d", i), DocDate: time.Now(), Visibility: store.Public, Status: store.Published,
			Summary: strings.Repeat("Single window, risk management and pre-arrival processing for small exporters. ", 6)}
		if err := app.Store.SaveDocument(ctx, mod.ID, d); err != nil {
			b.Fatal(err)
		}
	}
	s := floodBench{reader: reader, page: fmt.Sprintf("/forum/threads/%d", th.ID), thread: th.ID}
	if r := reader.Get(s.page); r.Location != "" {
		s.page = r.Location
	}
	for i := range 10 {
		email := fmt.Sprintf("member%d@x.example", i)
		app.CreateUser(email, store.RoleMember, fmt.Sprintf("Delegation %d", i), store.OrgMember)
		c := app.Client()
		c.SignIn(email)
		s.members = append(s.members, c.BrowserHeader())
	}
	return s
}

// flooders are the connections of issue 11, each in a loop of its own.
type flooders struct {
	cancel                        context.CancelFunc
	wg                            sync.WaitGroup
	answers, received, reconnects atomic.Int64
	start                         atomic.Int64
}

func (f *flooders) reset() {
	f.answers.Store(0)
	f.received.Store(0)
	f.reconnects.Store(0)
	f.start.Store(time.Now().UnixNano())
}

func (f *flooders) since() time.Time { return time.Unix(0, f.start.Load()) }

func (f *flooders) stop() {
	f.cancel()
	f.wg.Wait()
}

func startFlood(app *servertest.App, s floodBench) *flooders {
	ctx, cancel := context.WithCancel(context.Background())
	f := &flooders{cancel: cancel}
	f.reset()
	topic := fmt.Sprintf("thread:%d", s.thread)
	member := [][]byte{
		[]byte(`{"type":"subscribe","topic":"` + topic + `"}`),
		[]byte(`{"type":"typing","topic":"` + topic + `"}`),
		[]byte(`{"type":"unsubscribe","topic":"` + topic + `"}`),
	}
	anonymous := [][]byte{[]byte(`{"type":"subscribe","topic":"documents","since":0}`)}
	visitor := app.Client().BrowserHeader()
	for _, h := range s.members {
		f.wg.Add(1)
		go f.loop(ctx, app.WSURL(), h, member)
	}
	for range 4 {
		f.wg.Add(1)
		go f.loop(ctx, app.WSURL(), visitor, anonymous)
	}
	return f
}

// loop connects, sends msgs in turn as fast as the connection takes them
// and reads whatever comes, and connects again when it is closed.
func (f *flooders) loop(ctx context.Context, url string, h http.Header, msgs [][]byte) {
	defer f.wg.Done()
	for ctx.Err() == nil {
		ws, _, err := websocket.DefaultDialer.DialContext(ctx, url, h)
		if err != nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		stop := context.AfterFunc(ctx, func() { ws.Close() })
		go func() {
			for {
				_, data, err := ws.ReadMessage()
				if err != nil {
					ws.Close() // ends the writes below
					return
				}
				f.received.Add(int64(len(data)))
				f.answers.Add(int64(1 + bytes.Count(data, []byte{'\n'})))
			}
		}()
		for i := 0; ; i++ {
			if ws.WriteMessage(websocket.TextMessage, msgs[i%len(msgs)]) != nil {
				break
			}
		}
		stop()
		ws.Close()
		f.reconnects.Add(1)
	}
}
