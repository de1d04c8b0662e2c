package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/klauspost/compress/zstd"

	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// rawGet sends a GET (or HEAD) with the given Accept-Encoding and returns
// the answer's bytes as they came: setting the header keeps net/http from
// decoding them.
func rawGet(t *testing.T, app *servertest.App, method, path, accept string, extra http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, app.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", accept)
	for k, v := range extra {
		req.Header[k] = v
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return out
}

func unzstd(t *testing.T, b []byte) []byte {
	t.Helper()
	d, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	out, err := d.DecodeAll(b, nil)
	if err != nil {
		t.Fatalf("bad zstd: %v", err)
	}
	return out
}

func varies(h http.Header, field string) bool {
	n := 0
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), field) {
				n++
			}
		}
	}
	return n == 1
}

// TestPagesAreCompressedWhenAccepted: HTML, JSON and feeds leave in the
// encoding the client asks for, and as they are when it asks for none;
// caches are told the answer depends on Accept-Encoding either way.
func TestPagesAreCompressedWhenAccepted(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	seedLibrary(t, app)
	plain := map[string][]byte{}
	for _, path := range []string{"/", "/documents", "/api/v1/openapi.json", "/documents.atom"} {
		resp, body := rawGet(t, app, "GET", path, "identity", nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%s without Accept-Encoding: status %d, Content-Encoding %q, want 200 and none", path, resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
		if !varies(resp.Header, "Accept-Encoding") {
			t.Errorf("%s without Accept-Encoding: Vary %q, want Accept-Encoding once", path, resp.Header.Values("Vary"))
		}
		plain[path] = body
	}
	for _, tc := range []struct{ accept, want string }{
		{"gzip", "gzip"},
		{"gzip, deflate, br, zstd", "zstd"},
		{"zstd;q=0.5, gzip", "gzip"},
	} {
		for path, want := range plain {
			resp, body := rawGet(t, app, "GET", path, tc.accept, nil)
			if got := resp.Header.Get("Content-Encoding"); got != tc.want {
				t.Errorf("%s with Accept-Encoding %q: Content-Encoding %q, want %q", path, tc.accept, got, tc.want)
				continue
			}
			if !varies(resp.Header, "Accept-Encoding") {
				t.Errorf("%s: Vary %q, want Accept-Encoding once", path, resp.Header.Values("Vary"))
			}
			var got []byte
			if tc.want == "gzip" {
				got = gunzip(t, body)
			} else {
				got = unzstd(t, body)
			}
			// Pages carry a per-request nonce or token at most: compare sizes
			// and the beginning, not every byte.
			if len(body) >= len(want)/2 || len(got) < len(want)*9/10 || !bytes.Equal(got[:64], want[:64]) {
				t.Errorf("%s in %s: %d bytes decoding to %d, want far fewer than %d decoding to the same", path, tc.want, len(body), len(got), len(want))
			}
		}
	}
	// HEAD is answered unencoded (gzhttp's choice: some proxies mishandle
	// an encoded HEAD), still saying that the answer varies.
	resp, body := rawGet(t, app, "HEAD", "/documents", "gzip", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || !varies(resp.Header, "Accept-Encoding") || len(body) != 0 {
		t.Errorf("HEAD /documents: status %d, Content-Encoding %q, Vary %q, %d bytes; want 200, none, Accept-Encoding, none",
			resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Values("Vary"), len(body))
	}
}

// TestDownloadsAreSentAsStored: a PDF is never compressed again, and
// ranges and its ETag keep working whatever the client accepts.
func TestDownloadsAreSentAsStored(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	lib := seedLibrary(t, app)
	path := filePath(lib.publicFile)
	resp, whole := rawGet(t, app, "GET", path, "gzip, zstd", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || !bytes.HasPrefix(whole, []byte("%PDF")) {
		t.Fatalf("PDF download: status %d, Content-Encoding %q, starts %q; want 200, none, %%PDF", resp.StatusCode, resp.Header.Get("Content-Encoding"), whole[:min(8, len(whole))])
	}
	if resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("Accept-Ranges %q, want bytes", resp.Header.Get("Accept-Ranges"))
	}
	if resp.Header.Get("No-Gzip-Compression") != "" {
		t.Error("the internal no-compression header leaked to the client")
	}
	etag := resp.Header.Get("ETag")
	if etag != `"`+lib.publicFile.SHA256+`"` {
		t.Errorf("ETag %q, want the file's hash", etag)
	}
	resp, part := rawGet(t, app, "GET", path, "gzip", http.Header{"Range": {"bytes=5-14"}})
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(part, whole[5:15]) {
		t.Errorf("range 5-14: status %d, %q; want 206 and %q", resp.StatusCode, part, whole[5:15])
	}
	resp, _ = rawGet(t, app, "GET", path, "gzip", http.Header{"If-None-Match": {etag}})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match the ETag: status %d, want 304", resp.StatusCode)
	}

	// A text file, which the pages' rule would compress, is sent as stored too.
	text := strings.Repeat("Customs procedures for small exporters. ", 100)
	f, err := app.Store.AddFile(context.Background(), 0, store.NewFile{DocumentID: lib.public.ID, Lang: "fr", Filename: "notes.txt", ContentType: "text/plain; charset=utf-8"}, strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	resp, got := rawGet(t, app, "GET", filePath(f), "gzip", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || string(got) != text {
		t.Errorf("text download: status %d, Content-Encoding %q, %d bytes; want 200, none, the %d bytes stored", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(got), len(text))
	}
	resp, got = rawGet(t, app, "GET", filePath(f), "gzip", http.Header{"Range": {"bytes=0-6"}})
	if resp.StatusCode != http.StatusPartialContent || string(got) != "Customs" {
		t.Errorf("text range 0-6: status %d, %q; want 206 and %q", resp.StatusCode, got, "Customs")
	}
}

// TestStaticFilesArePrecompressed: a stylesheet comes in the encoding the
// client prefers, from copies made at start-up, each encoding with its own
// ETag, so that a cache never answers one with another's bytes.
func TestStaticFilesArePrecompressed(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	const path = "/static/css/app.css"
	resp, plain := rawGet(t, app, "GET", path, "identity", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || !varies(resp.Header, "Accept-Encoding") {
		t.Fatalf("plain: status %d, Content-Encoding %q, Vary %q", resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Values("Vary"))
	}
	etags := map[string]bool{resp.Header.Get("ETag"): true}
	for _, enc := range []string{"gzip", "zstd"} {
		resp, body := rawGet(t, app, "GET", path, enc, nil)
		if resp.Header.Get("Content-Encoding") != enc || !varies(resp.Header, "Accept-Encoding") {
			t.Fatalf("%s: Content-Encoding %q, Vary %q", enc, resp.Header.Get("Content-Encoding"), resp.Header.Values("Vary"))
		}
		got := unzstd
		if enc == "gzip" {
			got = gunzip
		}
		if !bytes.Equal(got(t, body), plain) {
			t.Errorf("%s copy does not decode to the file", enc)
		}
		if len(body) >= len(plain)/2 {
			t.Errorf("%s copy is %d bytes of %d", enc, len(body), len(plain))
		}
		etag := resp.Header.Get("ETag")
		if etags[etag] {
			t.Errorf("%s copy has ETag %q, like another encoding", enc, etag)
		}
		etags[etag] = true
		resp, body = rawGet(t, app, "GET", path, enc, http.Header{"If-None-Match": {etag}})
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("%s revalidated: status %d, %d bytes; want 304 and none", enc, resp.StatusCode, len(body))
		}
	}
}

// TestWebsocketUpgradeWithCompression: a client that accepts gzip still
// gets its websocket, and messages through it.
func TestWebsocketUpgradeWithCompression(t *testing.T) {
	t.Parallel()
	app := servertest.New(t, storetest.SQLite, nil)
	h := app.Client().BrowserHeader()
	h.Set("Accept-Encoding", "gzip, zstd")
	ws, resp, err := websocket.DefaultDialer.Dial(app.WSURL(), h)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]string{"type": "subscribe", "topic": "documents"}); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := ws.ReadMessage()
	if err != nil || !bytes.Contains(data, []byte(`"type":"subscribed","topic":"documents"`)) {
		t.Fatalf("got %q, %v; want subscribed to documents", data, err)
	}
}
