package server_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"ideasx/server/live/liveclient"
	"ideasx/server/servertest"
	"ideasx/store/storetest"
)

// seqRecorder is a live client that notes every event seq it receives.
type seqRecorder struct {
	client *liveclient.Client
	mu     sync.Mutex
	seqs   []int64
	topic  string
}

func record(t *testing.T, topic string, h map[string][]string, apps ...*servertest.App) *seqRecorder {
	t.Helper()
	r := &seqRecorder{topic: topic}
	var urls []string
	for _, a := range apps {
		urls = append(urls, a.WSURL())
	}
	subscribed := make(chan struct{}, 1)
	c, _, err := liveclient.Dial(context.Background(), liveclient.Dialer{URLs: urls, Header: h, Reconnect: true,
		OnMessage: func(m liveclient.Message) {
			if m.Topic != topic {
				return
			}
			if m.Type == "subscribed" {
				select {
				case subscribed <- struct{}{}:
				default:
				}
			}
			if m.Type == "post.created" {
				r.mu.Lock()
				r.seqs = append(r.seqs, m.Seq)
				r.mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	r.client = c
	if err := c.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-subscribed:
	case <-time.After(5 * time.Second):
		t.Fatal("not subscribed")
	}
	return r
}

func (r *seqRecorder) got() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seqs)
}

// storedSeqs lists the seqs of the topic's post.created events after since.
func storedSeqs(t *testing.T, app *servertest.App, topic string, since int64) []int64 {
	t.Helper()
	evs, err := app.Store.EventsSince(context.Background(), topic, since, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, ev := range evs {
		if ev.Type == "post.created" {
			out = append(out, ev.Seq)
		}
	}
	return out
}

// converge waits until every recorder holds exactly the stored events.
func converge(t *testing.T, app *servertest.App, topic string, since int64, within time.Duration, recs ...*seqRecorder) {
	t.Helper()
	want := storedSeqs(t, app, topic, since)
	deadline := time.Now().Add(within)
	for {
		ok := true
		for _, r := range recs {
			if !slices.Equal(r.got(), want) {
				ok = false
			}
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			for i, r := range recs {
				got := r.got()
				if !slices.Equal(got, want) {
					t.Errorf("client %d: %d events, want %d (first got %v, want %v)", i, len(got), len(want), head(got), head(want))
				}
			}
			t.FailNow()
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func head(s []int64) []int64 { return s[:min(len(s), 8)] }

// poster posts replies at a steady rate, alternating instances, until stopped.
func poster(t *testing.T, thread int64, every time.Duration, clients ...*servertest.Client) (stop func() int) {
	done := make(chan struct{})
	count := make(chan int)
	go func() {
		n := 0
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				count <- n
				return
			case <-tick.C:
				reply(t, clients[n%len(clients)], thread, fmt.Sprintf("Steady reply %d", n))
				n++
			}
		}
	}()
	return func() int { close(done); return <-count }
}

// privateRedis runs a redis-server of the test's own, which it may stop
// and start again without disturbing other tests.
type privateRedis struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func startPrivateRedis(t *testing.T) *privateRedis {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		storetest.Unavailable(t, "redis-server", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r := &privateRedis{t: t, port: port}
	r.start(path)
	t.Cleanup(r.stop)
	return r
}

func (r *privateRedis) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *privateRedis) start(path string) {
	r.t.Helper()
	r.cmd = exec.Command(path, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	for range 100 {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port)); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatal("redis-server did not start")
}

func (r *privateRedis) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

func (r *privateRedis) restart() {
	path, _ := exec.LookPath("redis-server")
	r.start(path)
}

// TestLiveSurvivesRedisOutage: Redis is killed during steady posting and
// started again; posting never fails, and within 5 seconds of its return
// every client on either instance holds exactly the stored events.
func TestLiveSurvivesRedisOutage(t *testing.T) {
	t.Parallel()
	rs := startPrivateRedis(t)
	a, b := twoInstances(t, rs.url())
	f := newLiveFixture(t, a, "record")
	bizB := b.Client()
	bizB.SignIn("biz@x.example")
	delB := b.Client()
	delB.SignIn("del@x.example")
	topic := fmt.Sprintf("thread:%d", f.thread)
	since, _ := a.Store.TopicSeq(context.Background(), topic)
	recs := []*seqRecorder{
		record(t, topic, f.del.BrowserHeader(), a), record(t, topic, f.del.BrowserHeader(), a),
		record(t, topic, delB.BrowserHeader(), b), record(t, topic, delB.BrowserHeader(), b),
	}

	stop := poster(t, f.thread, 100*time.Millisecond, f.biz, bizB)
	time.Sleep(time.Second)
	rs.stop()
	time.Sleep(4 * time.Second)
	rs.restart()
	back := time.Now()
	time.Sleep(5 * time.Second)
	posted := stop()

	if got := len(storedSeqs(t, a, topic, since)); got != posted {
		t.Fatalf("%d replies stored, %d posted", got, posted)
	}
	converge(t, a, topic, since, 5*time.Second-time.Since(back)+5*time.Second, recs...)
}

// TestLiveInstanceRestart: an instance stops during posting; its clients
// move to the other one and miss nothing.
func TestLiveInstanceRestart(t *testing.T) {
	t.Parallel()
	a, b := twoInstances(t, servertest.RedisURL())
	f := newLiveFixture(t, a, "record")
	bizB := b.Client()
	bizB.SignIn("biz@x.example")
	topic := fmt.Sprintf("thread:%d", f.thread)
	since, _ := a.Store.TopicSeq(context.Background(), topic)
	var recs []*seqRecorder
	for range 3 {
		recs = append(recs, record(t, topic, f.del.BrowserHeader(), a, b))
	}
	stop := poster(t, f.thread, 50*time.Millisecond, bizB)
	time.Sleep(time.Second)
	a.Stop()
	time.Sleep(2 * time.Second)
	stop()
	converge(t, b, topic, since, 5*time.Second, recs...)
	for i, r := range recs {
		if codes := r.client.CloseCodes(); len(codes) == 0 || codes[0] != 1001 {
			t.Errorf("client %d: close codes %v, want 1001 first", i, codes)
		}
	}
}
