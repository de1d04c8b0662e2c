package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"ideasx/server"
	"ideasx/server/servertest"
	"ideasx/store"
	"ideasx/store/storetest"
)

// BenchmarkPageCompression serves the library's list (a 40-document page)
// and the main stylesheet in each encoding, in-process, and reports the
// bytes sent. "page" is the whole request (database, rendering and all);
// "middleware" is that page's HTML written through the compressor alone,
// which is what compressing adds to a request.
func BenchmarkPageCompression(b *testing.B) {
	app := servertest.New(b, storetest.SQLite, nil)
	ctx := context.Background()
	for i := range 40 {
		d := store.Document{Title: fmt.Sprintf("Report %d on customs procedures for small exporters", i), Symbol: fmt.Sprintf("INF/MSME/R/%d", i),
			Visibility: store.Public, Status: store.Published, DocDate: time.Date(2026, 1, 1+i%28, 0, 0, 0, 0, time.UTC),
			Summary: "Customs procedures, certificates of origin and the time they take for small exporters in the region."}
		if err := app.Store.SaveDocument(ctx, 0, &d); err != nil {
			b.Fatal(err)
		}
	}
	h := app.Server.Handler()
	for _, path := range []string{"/documents", "/static/css/app.css"} {
		for _, enc := range []string{"identity", "gzip", "zstd"} {
			b.Run("page"+path+"/"+enc, func(b *testing.B) {
				var n int
				cpu := processCPU()
				for b.Loop() {
					req := httptest.NewRequest(http.MethodGet, path, nil)
					req.Header.Set("Accept-Encoding", enc)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("%s: %d", path, w.Code)
					}
					n = w.Body.Len()
				}
				b.ReportMetric(float64(n), "bytes/resp")
				b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/documents", nil)
	req.Header.Set("Accept-Encoding", "identity")
	page := httptest.NewRecorder()
	h.ServeHTTP(page, req)
	html := page.Body.Bytes()
	only := server.Compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(html)
	}))
	for _, enc := range []string{"identity", "gzip", "zstd"} {
		b.Run("middleware/"+enc, func(b *testing.B) {
			var n int
			cpu := processCPU()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/documents", nil)
				req.Header.Set("Accept-Encoding", enc)
				w := httptest.NewRecorder()
				only.ServeHTTP(w, req)
				n = w.Body.Len()
			}
			b.ReportMetric(float64(n), "bytes/resp")
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the CPU this process used so far: on a busy machine a
// benchmark's wall time is mostly waiting for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
