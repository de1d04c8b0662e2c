package server

import (
	"io"
	"net/http"
	"time"

	"ideasx/server/files"
)

// serveStoredFile sends a file kept in the database (a library file, a
// post's attachment) with the type sniffed at upload and a download name
// safe in the header, by http.ServeContent (ranges, ETag from its SHA-256,
// Last-Modified), under cacheControl.
func serveStoredFile(w http.ResponseWriter, r *http.Request, name, contentType, sha256 string, modTime time.Time, cacheControl string, content io.ReadSeeker) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", files.ContentDisposition(name, inlineType(contentType)))
	h.Set("ETag", `"`+sha256+`"`)
	// Sent as stored: ranges and the strong ETag stay true of the bytes.
	h.Set(noCompression, "1")
	// A file is never a page of this site: no scripts, no plugins, whatever it holds.
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
	h.Set("Cache-Control", cacheControl)
	http.ServeContent(w, r, name, modTime, content)
}
