package live

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// countingConn counts the bytes read from the wire.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// benchPost is a post.created message as the hub sends one: a reply of a
// few sentences, with its Markdown and its HTML.
func benchPost(i int) []byte {
	// Different words in every reply, as in a real thread: 20 copies of
	// one text would compress far better than a catch-up does.
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	words := strings.Fields("certificate origin customs exporters chamber commerce weeks days Montevideo Asunción Brazil e-certificate procedure rules textiles tariff quota declaration broker inspection delay fee form signature registry small firms cooperative shipment port border")
	var sb strings.Builder
	for range 40 {
		sb.WriteString(words[rng.IntN(len(words))])
		sb.WriteByte(' ')
	}
	body := fmt.Sprintf("Reply %d: %s**three weeks**.", i, sb.String())
	html := "<p>" + strings.ReplaceAll(body, "**three weeks**", "<strong>three weeks</strong>") + "</p>"
	b, _ := json.Marshal(serverMessage{Type: "post.created", Topic: "thread:42", Seq: int64(1000 + i), Data: mustJSON(map[string]any{
		"id": 9000 + i, "thread_id": 42, "body": body, "html": html, "useful": 0, "created_at": "2026-12-07T09:30:00Z",
		"author": map[string]any{"name": "Ana Pérez", "organisation": "Delegation of Chile", "organisation_kind": "member"},
	})})
	return b
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// BenchmarkWebsocketDeflate measures permessage-deflate (gorilla's
// EnableCompression, no context takeover) against plain frames: the CPU
// of one message written by the server and read by a client, both in this
// process, and the bytes it takes on the wire. "prepared" is a broadcast
// event (compressed once for all its readers: per connection only the
// write counts, as for the hub's event frames); "single" is a frame
// written for one connection (replies, presence, typing); "batch20" is a
// catch-up frame of 20 replies.
func BenchmarkWebsocketDeflate(b *testing.B) {
	presence, _ := json.Marshal(serverMessage{Type: "presence", Topic: "thread:42", Data: mustJSON(map[string]any{"count": 2,
		"viewers": []map[string]any{{"name": "Ana Pérez", "organisation": "Delegation of Chile", "organisation_kind": "member"}, {"name": "Luis Ortega", "organisation": "Andes Textiles", "organisation_kind": "business"}}})})
	var batch []string
	for i := range 20 {
		batch = append(batch, string(benchPost(i)))
	}
	messages := []struct {
		name     string
		data     []byte
		prepared bool
	}{
		{"prepared-post", benchPost(1), true},
		{"single-post", benchPost(1), false},
		{"single-presence", presence, false},
		{"batch20-posts", []byte(strings.Join(batch, "\n")), false},
	}
	for _, m := range messages {
		for _, deflate := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/deflate=%v", m.name, deflate), func(b *testing.B) {
				up := websocket.Upgrader{ReadBufferSize: 512, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{}, EnableCompression: deflate}
				conns := make(chan *websocket.Conn, 1)
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					ws, err := up.Upgrade(w, r, nil)
					if err != nil {
						return
					}
					conns <- ws
				}))
				defer srv.Close()
				var wire atomic.Int64
				d := websocket.Dialer{EnableCompression: deflate, NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
					return countingConn{c, &wire}, err
				}}
				client, _, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
				if err != nil {
					b.Fatal(err)
				}
				defer client.Close()
				server := <-conns
				defer server.Close()

				done := make(chan error, 1)
				go func() {
					for {
						if _, _, err := client.ReadMessage(); err != nil {
							done <- err
							return
						}
						done <- nil
					}
				}()
				start, cpu := wire.Load(), cpuTime()
				b.ResetTimer()
				for b.Loop() {
					if m.prepared {
						// A new event each time: its compression is counted once,
						// as the hub pays it once for all of its readers.
						pm, err := websocket.NewPreparedMessage(websocket.TextMessage, m.data)
						if err != nil {
							b.Fatal(err)
						}
						err = server.WritePreparedMessage(pm)
						if err != nil {
							b.Fatal(err)
						}
					} else if err := server.WriteMessage(websocket.TextMessage, m.data); err != nil {
						b.Fatal(err)
					}
					if err := <-done; err != nil {
						b.Fatal(err)
					}
				}
				// CPU rather than wall time: on a busy machine the wall time
				// is mostly waiting for a core.
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/msg")
				b.ReportMetric(float64(wire.Load()-start)/float64(b.N), "wire-bytes/msg")
				b.ReportMetric(float64(len(m.data)), "json-bytes/msg")
			})
		}
	}
}

// cpuTime is the CPU this process used so far (user and system), both
// ends of the connection included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
