package views

import "testing"

// TestStaticPicksEncoding: the client's weights decide; on a tie the
// smaller copy goes; "*" and q=0 are not a yes.
func TestStaticPicksEncoding(t *testing.T) {
	smallZstd := &asset{gzip: make([]byte, 120), zstd: make([]byte, 100)}
	smallGzip := &asset{gzip: make([]byte, 100), zstd: make([]byte, 120)}
	gzipOnly := &asset{gzip: make([]byte, 100)}
	for _, tc := range []struct {
		a      *asset
		accept string
		want   string
	}{
		{smallZstd, "gzip", "gzip"},
		{smallZstd, "zstd", "zstd"},
		{smallZstd, "gzip, deflate, br, zstd", "zstd"},
		{smallGzip, "gzip, deflate, br, zstd", "gzip"},
		{smallZstd, "zstd;q=0.5, gzip", "gzip"},
		{smallGzip, "gzip;q=0.4, zstd;q=0.9", "zstd"},
		{smallZstd, "gzip;q=0, zstd;q=0", ""},
		{smallZstd, "x-gzip", "gzip"},
		{smallZstd, "*", ""},
		{smallZstd, "identity", ""},
		{smallZstd, "", ""},
		{gzipOnly, "zstd, gzip;q=0.1", "gzip"},
		{gzipOnly, "zstd", ""},
	} {
		if got := tc.a.pick(acceptedCodings(tc.accept)); got != tc.want {
			t.Errorf("Accept-Encoding %q (gzip %d bytes, zstd %d): got %q, want %q", tc.accept, len(tc.a.gzip), len(tc.a.zstd), got, tc.want)
		}
	}
}
