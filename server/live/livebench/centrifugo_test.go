package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// The frames are Centrifugo v6's JSON protocol as its nodes write them.
func TestHandleCentrifugo(t *testing.T) {
	f := &fleet{}
	c := &client{}
	f.handleCentrifugo(c, []byte(`{"id":1,"connect":{"client":"abc","version":"6.9.1","ping":25,"pong":true}}`), 0)
	f.handleCentrifugo(c, []byte(`{"id":2,"subscribe":{}}`), 0)
	f.handleCentrifugo(c, []byte(`{"push":{"channel":"thread_bench","pub":{"data":{"id":42,"body":"Reply 42","pad":"xx"}}}}`), 7)
	if f.nSubscribed.Load() != 1 || !c.subscribed {
		t.Errorf("subscribe reply not seen: %d", f.nSubscribed.Load())
	}
	if len(c.recv) != 1 || c.recv[0].id != 42 || c.recv[0].at != 7 {
		t.Errorf("publication not recorded: %+v", c.recv)
	}
	f.handleCentrifugo(c, []byte(`{"id":2,"error":{"code":103,"message":"permission denied"}}`), 0)
	if f.errors.Load() != 1 || f.firstErr.Load() == nil {
		t.Error("error reply not counted")
	}
}

func TestHS256(t *testing.T) {
	tok := hs256("secret", map[string]any{"sub": "u"})
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %s", tok)
	}
	mac := hmac.New(sha256.New, []byte("secret"))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if got := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); got != parts[2] {
		t.Errorf("signature %s, want %s", parts[2], got)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if string(payload) != `{"sub":"u"}` {
		t.Errorf("payload %s", payload)
	}
}
