package views

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Static serves embedded assets. Each file's URL carries a hash of its
// content, so browsers may cache it for a year and still see every change.
//
// Text files are compressed once, at start-up, at high levels of gzip and
// zstd (the files are embedded in the binary, so start-up is their build):
// a request then costs no CPU for compression and gets smaller bytes than
// compressing on the fly would give.
type Static struct {
	files map[string]*asset
}

// asset is one static file and its encoded copies.
type asset struct {
	hash  string // short content hash, for URLs and ETags
	ctype string
	plain []byte
	// gzip and zstd are nil where compressing does not make it smaller.
	gzip, zstd []byte
}

// precompressed lists the extensions worth compressing; images other than
// SVG, and fonts in WOFF2, are compressed already.
var precompressed = map[string]bool{".css": true, ".js": true, ".svg": true, ".json": true, ".html": true, ".txt": true, ".map": true, ".webmanifest": true, ".ico": true}

// NewStatic hashes, and compresses where it pays, every file of files.
func NewStatic(files fs.FS) (*Static, error) {
	s := &Static{files: map[string]*asset{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a := &asset{hash: hex.EncodeToString(sum[:6]), plain: b, ctype: mime.TypeByExtension(path.Ext(p))}
		if precompressed[path.Ext(p)] {
			if a.gzip, a.zstd, err = compressOnce(sum, b); err != nil {
				return fmt.Errorf("compress %s: %w", p, err)
			}
		}
		s.files[p] = a
		return nil
	})
	return s, err
}

// encoded remembers, by content hash, the compressed copies made in this
// process: the files are the binary's own, so a second server in the same
// process (the tests start hundreds) compresses nothing again.
var encoded struct {
	sync.Mutex
	byHash map[[sha256.Size]byte][2][]byte
}

// compressOnce is b in gzip and in zstd, each nil unless smaller. Both at
// high levels, as only start-up pays: gzip 9, and zstd's "better" level
// (its "best" made the files 4% smaller for nine times the CPU, a second
// and more at every start on a busy machine).
func compressOnce(sum [sha256.Size]byte, b []byte) (gz, zs []byte, err error) {
	encoded.Lock()
	defer encoded.Unlock()
	if c, ok := encoded.byHash[sum]; ok {
		return c[0], c[1], nil
	}
	gz, err = gzipBest(b)
	if err != nil {
		return nil, nil, err
	}
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
		// Browsers decode zstd with a window of up to 8 MiB only.
		zstd.WithWindowSize(1<<20), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, nil, err
	}
	zs = zw.EncodeAll(b, nil)
	_ = zw.Close()
	gz, zs = smaller(gz, b), smaller(zs, b)
	if encoded.byHash == nil {
		encoded.byHash = map[[sha256.Size]byte][2][]byte{}
	}
	encoded.byHash[sum] = [2][]byte{gz, zs}
	return gz, zs, nil
}

func gzipBest(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// smaller keeps an encoded copy only if it saves something worth a
// Content-Encoding header.
func smaller(enc, plain []byte) []byte {
	if len(enc)+64 >= len(plain) {
		return nil
	}
	return enc
}

// URL is the cache-busting address of a static file.
func (s *Static) URL(name string) string {
	if a, ok := s.files[name]; ok {
		return "/static/" + name + "?v=" + a.hash
	}
	return "/static/" + name
}

// ServeHTTP serves /static/{path...}: the zstd or gzip copy when the
// client accepts it, each with an ETag of its own (RFC 9110 §8.8.3: two
// encodings are two representations), with conditional and range
// requests answered by http.ServeContent.
func (s *Static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean("/"+r.PathValue("path")), "/")
	a, ok := s.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	if a.ctype != "" {
		h.Set("Content-Type", a.ctype)
	}
	if r.URL.Query().Get("v") == a.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	// What is sent is final: the compression middleware leaves it alone.
	h.Set(gzhttp.HeaderNoCompression, "1")
	body, etag := a.plain, a.hash
	if a.gzip != nil || a.zstd != nil {
		addVary(h, "Accept-Encoding")
		switch a.pick(acceptedCodings(r.Header.Get("Accept-Encoding"))) {
		case "zstd":
			body, etag = a.zstd, a.hash+"-zstd"
			h.Set("Content-Encoding", "zstd")
		case "gzip":
			body, etag = a.gzip, a.hash+"-gzip"
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// addVary lists field in Vary unless it is there already.
func addVary(h http.Header, field string) {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), field) {
				return
			}
		}
	}
	h.Add("Vary", field)
}

// pick chooses the copy to send: the encoding the client weighs most
// (RFC 9110 §12.5.3), the smaller copy on a tie; "" means as it is.
func (a *asset) pick(q map[string]float64) string {
	qz, qg := q["zstd"], q["gzip"]
	if a.zstd == nil {
		qz = 0
	}
	if a.gzip == nil {
		qg = 0
	}
	switch {
	case qz > 0 && (qz > qg || (qz == qg && len(a.zstd) <= len(a.gzip))):
		return "zstd"
	case qg > 0:
		return "gzip"
	}
	return ""
}

// acceptedCodings reads Accept-Encoding into each coding's weight. "*" is
// not taken as a yes: clients that send it often expect the plain bytes.
func acceptedCodings(accept string) map[string]float64 {
	q := map[string]float64{}
	for part := range strings.SplitSeq(accept, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding == "x-gzip" {
			coding = "gzip" // RFC 9110 §8.4.1.3
		}
		w := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			var err error
			if w, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
				w = 0
			}
		}
		if coding != "" {
			q[coding] = w
		}
	}
	return q
}
