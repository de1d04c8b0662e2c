package files

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestZZCorpusTiming(t *testing.T) {
	dir := os.Getenv("CORPUS")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		lines := strings.SplitN(string(raw), "\n", 2)
		v := strings.TrimSpace(lines[1])
		v = strings.TrimSuffix(strings.TrimPrefix(v, "[]byte("), ")")
		s, err := strconv.Unquote(v)
		if err != nil {
			t.Logf("%s: %v", f, err)
			continue
		}
		data := []byte(s)
		start := time.Now()
		text, err := ExtractText(bytes.NewReader(data), int64(len(data)), allowed["application/pdf"])
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Logf("%s: %v len=%d text=%d err=%v", filepath.Base(f), d, len(data), len(text), err)
		}
	}
}

func FuzzZZSlow(f *testing.F) {
	f.Add(mustPDF(f, "Genève", "pequeñas"))
	for _, data := range malformedPDFs(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		ExtractText(bytes.NewReader(data), int64(len(data)), allowed["application/pdf"])
		if d := time.Since(start); d > 2*time.Second {
			os.WriteFile("/tmp/exp3/slow-"+strconv.FormatInt(time.Now().UnixNano(), 10), data, 0o644)
		}
	})
}

func TestZZSlowFiles(t *testing.T) {
	files, _ := filepath.Glob("/tmp/exp3/slow-*")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		start := time.Now()
		text, err := ExtractText(bytes.NewReader(data), int64(len(data)), allowed["application/pdf"])
		t.Logf("%s: %v len=%d text=%d err=%v", filepath.Base(f), time.Since(start), len(data), len(text), err)
	}
}
