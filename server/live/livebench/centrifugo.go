package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"ideasx/server/internal/benchenv"
)

// centrifugo is the reference system of issue 17: Centrifugo nodes on a
// private redis-server (its Redis engine), driven by the same fleet and
// the same open-loop posting as ideasx. Clients speak its JSON protocol
// over websocket with an HS256 connection token; replies are published
// through its HTTP API.
type centrifugo struct {
	secret, apiKey, channel string
	token                   string // the readers' connection JWT
	// pad fills each publication so that the frame a client receives is
	// about as long as ideasx's post.created frame.
	pad string
}

// defaultMessageBytes stands for ideasx's post.created frame when no
// ideasx round has measured it (a -target centrifugo run on its own).
const defaultMessageBytes = 1100

// centrifugoFrameOverhead is what Centrifugo wraps around the data of a
// publication: {"push":{"channel":"thread_bench","pub":{"data":…,"offset":N}}}.
const centrifugoFrameOverhead = 60

// runCentrifugo starts a private Redis and the nodes, then measures with
// runLoad exactly as for ideasx.
func (b *bench) runCentrifugo(ctx context.Context) error {
	tmp, remove, err := benchenv.ScratchDir("livebench-centrifugo-", b.cfg.keep, logf)
	if err != nil {
		return err
	}
	b.tmp = tmp
	b.onCleanup(remove)
	if _, err := os.Stat(b.cfg.centrifugo); err != nil {
		return fmt.Errorf("-target centrifugo needs the Centrifugo binary (make bench-live-compare installs v6.9.1 into bin/centrifugo): %w", err)
	}
	cf := &centrifugo{secret: randomHex(32), apiKey: randomHex(16), channel: "thread_bench"}
	cf.token = hs256(cf.secret, map[string]any{"sub": "livebench-reader", "exp": time.Now().Add(24 * time.Hour).Unix()})
	size := b.cfg.messageBytes
	if size <= 0 {
		size = defaultMessageBytes
	}
	cf.pad = strings.Repeat("x", max(0, size-centrifugoFrameOverhead-len(centrifugoData(0, ""))))
	b.cf = cf
	b.readerToken = cf.token

	// Never the machine's Redis: other tests use it.
	rs, err := startPrivateRedis(ctx, tmp)
	if err != nil {
		return err
	}
	b.redis = rs
	b.onCleanup(func() { rs.kill() })
	logf("private Redis at %s (pid %d)", rs.url(), rs.cmd.Process.Pid)
	for i := range 2 {
		if err := b.startCentrifugoNode(ctx, i, rs.url()); err != nil {
			return err
		}
	}
	return b.runLoad(ctx)
}

func (b *bench) startCentrifugoNode(ctx context.Context, i int, redisURL string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	in := &instance{name: string(rune('A' + i)), url: fmt.Sprintf("http://127.0.0.1:%d", port),
		logPath: filepath.Join(b.tmp, fmt.Sprintf("centrifugo-%c.log", 'A'+i)), exited: make(chan struct{})}
	conf := map[string]any{
		"http_server": map[string]any{"address": "127.0.0.1", "port": port},
		"log":         map[string]any{"level": "info"},
		"client": map[string]any{
			"token":           map[string]any{"hmac_secret_key": b.cf.secret},
			"allowed_origins": []string{"*"},
		},
		"channel":    map[string]any{"without_namespace": b.centrifugoChannel()},
		"http_api":   map[string]any{"key": b.cf.apiKey},
		"engine":     map[string]any{"type": "redis", "redis": map[string]any{"address": []string{redisURL}}},
		"prometheus": map[string]any{"enabled": true},
		"health":     map[string]any{"enabled": true},
	}
	data, _ := json.MarshalIndent(conf, "", "  ")
	confPath := filepath.Join(b.tmp, fmt.Sprintf("centrifugo-%c.json", 'A'+i))
	if err := os.WriteFile(confPath, data, 0o600); err != nil {
		return err
	}
	logFile, err := os.Create(in.logPath)
	if err != nil {
		return err
	}
	in.cmd = exec.Command(b.cfg.centrifugo, "--config", confPath)
	in.cmd.Stdout, in.cmd.Stderr = logFile, logFile
	in.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := in.cmd.Start(); err != nil {
		logFile.Close()
		return err
	}
	go func() {
		_ = in.cmd.Wait()
		logFile.Close()
		close(in.exited)
	}()
	b.instances = append(b.instances, in)
	b.onCleanup(in.stop)
	if err := in.waitHealthy(ctx); err != nil {
		return err
	}
	logf("Centrifugo node %s ready at %s (pid %d, log %s)", in.name, in.url, in.cmd.Process.Pid, in.logPath)
	return nil
}

func (in *instance) waitHealthy(ctx context.Context) error {
	return in.waitOK(ctx, "/health", "Centrifugo node", "healthy")
}

// centrifugoData is publication n: its id first (the fleet reads it
// without decoding), then the reply's text and the padding.
func centrifugoData(n int, pad string) []byte {
	data, _ := json.Marshal(struct {
		ID   int    `json:"id"`
		Body string `json:"body"`
		Pad  string `json:"pad"`
	}{n, replyBody(n), pad})
	return data
}

// publish sends publication n through node in's HTTP API; its id is n.
func (cf *centrifugo) publish(ctx context.Context, in *instance, n int) (int64, error) {
	body, _ := json.Marshal(map[string]any{"channel": cf.channel, "data": json.RawMessage(centrifugoData(n, cf.pad))})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.url+"/api/publish", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-API-Key", cf.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := apiClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	// Centrifugo answers 200 with an "error" object when it refuses.
	if resp.StatusCode != http.StatusOK || bytes.Contains(data, []byte(`"error"`)) {
		return 0, &apiError{method: http.MethodPost, path: "/api/publish", status: resp.StatusCode, body: data}
	}
	return int64(n), nil
}

// hello is what a client sends once connected: the connect command with
// its token, then the subscription (Centrifugo runs them in order).
func (cf *centrifugo) hello() [][]byte {
	connect, _ := json.Marshal(map[string]any{"id": 1, "connect": map[string]any{"token": cf.token, "name": "livebench"}})
	sub, _ := json.Marshal(map[string]any{"id": 2, "subscribe": map[string]any{"channel": cf.channel}})
	return [][]byte{connect, sub}
}

var (
	cfPing       = []byte(`{}`)
	cfPush       = []byte(`{"push":`)
	cfPub        = []byte(`"pub":`)
	cfSubscribed = []byte(`{"id":2,"subscribe":`)
	cfError      = []byte(`"error":`)
)

// handleCentrifugo looks at one message of Centrifugo's JSON protocol.
func (f *fleet) handleCentrifugo(c *client, line []byte, at time.Duration) {
	switch {
	case bytes.Equal(line, cfPing):
		// The server's ping: without the pong it drops the connection.
		if err := c.ws.WriteMessage(websocket.TextMessage, cfPing); err != nil {
			f.errors.Add(1)
		}
	case bytes.HasPrefix(line, cfPush) && bytes.Contains(line, cfPub):
		id, ok := numberAfter(line, dataIDKey)
		if !ok {
			f.unparsed.Add(1)
			return
		}
		// No history, so no offsets to order by: duplicates are counted
		// by post id when the run is analysed.
		c.recv = append(c.recv, delivery{id: id, at: at})
		f.fresh.Add(1)
		f.postBytes.Add(int64(len(line)))
	case bytes.HasPrefix(line, cfSubscribed):
		if !c.subscribed {
			c.subscribed = true
			f.nSubscribed.Add(1)
		}
	case bytes.Contains(line, cfError):
		f.errors.Add(1)
		msg := string(line)
		f.firstErr.CompareAndSwap(nil, &msg)
	case len(line) == 0:
	default:
		f.other.Add(1)
	}
}

// hs256 signs claims as a JWT with HMAC-SHA256: the one algorithm needed
// here, a few lines rather than a new module in go.mod.
func hs256(secret string, claims map[string]any) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload, _ := json.Marshal(claims)
	signed := header + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signed))
	return signed + "." + enc.EncodeToString(mac.Sum(nil))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// centrifugoChannel is the options of the bench's channel (-centrifugo-history).
func (b *bench) centrifugoChannel() map[string]any {
	ch := map[string]any{"allow_subscribe_for_client": true}
	if n := b.cfg.cfHistory; n > 0 {
		ch["history_size"], ch["history_ttl"], ch["force_recovery"] = n, "300s", true
	}
	return ch
}
