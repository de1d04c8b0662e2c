package server

import (
	"mime"
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
)

// compressedTypes are the answers worth compressing: text the site writes.
// Everything else passes as it is, above all what is compressed already
// (PDF, images, zip and office files), which would only cost CPU.
var compressedTypes = map[string]bool{
	"text/html":                 true,
	"text/css":                  true,
	"text/javascript":           true,
	"application/javascript":    true,
	"application/json":          true,
	"application/atom+xml":      true,
	"application/rss+xml":       true,
	"application/xml":           true,
	"text/xml":                  true,
	"text/calendar":             true,
	"image/svg+xml":             true,
	"text/plain":                true,
	"text/markdown":             true,
	"text/csv":                  true,
	"application/manifest+json": true,
}

func compressibleType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && compressedTypes[mt]
}

// noCompression is the header with which a handler keeps its answer as it
// is (gzhttp removes it before the answer leaves): downloads served with
// ranges and a strong ETag, and static files that bring their own
// pre-compressed copies.
const noCompression = gzhttp.HeaderNoCompression

// compress sends the answers of compressedTypes in zstd or gzip, whichever
// the client prefers (zstd on a tie: smaller for less CPU), through
// github.com/klauspost/compress/gzhttp: it adds Vary: Accept-Encoding,
// leaves short answers (under 1 KiB), 206 partial answers and answers
// that already have a Content-Encoding alone, flushes the compressor when
// a handler flushes, and passes Hijack through.
//
// An answer compressed on the fly keeps no ETag of the plain one: the
// handlers that send an ETag either serve pre-compressed bytes with one
// ETag per encoding (static files) or are not compressed (downloads).
func compress(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.ContentTypeFilter(compressibleType),
	)
	if err != nil {
		panic(err) // the options above are constants
	}
	compressed := wrap(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A websocket upgrade hands the connection over: nothing to compress
		// at this layer (permessage-deflate is the websocket's own business).
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		compressed.ServeHTTP(w, r)
	})
}
