package files

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func TestMakePreview(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2000, 1000))
	for x := 0; x < 2000; x++ {
		img.Set(x, 500, color.RGBA{200, 30, 30, 255})
	}
	var pngData, jpgData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpgData, img, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		data []byte
		mime string
	}{{pngData.Bytes(), "image/png"}, {jpgData.Bytes(), "image/jpeg"}} {
		kind, err := Sniff(tc.data)
		if err != nil {
			t.Fatal(err)
		}
		p, err := MakePreview(bytes.NewReader(tc.data), kind)
		if err != nil {
			t.Fatalf("%s: %v", tc.mime, err)
		}
		if p.Width != 2000 || p.Height != 1000 || p.PreviewWidth != PreviewMax || p.PreviewHeight != PreviewMax/2 || p.MIME != tc.mime {
			t.Errorf("%s: got %dx%d → %dx%d %s, want 2000x1000 → %dx%d", tc.mime, p.Width, p.Height, p.PreviewWidth, p.PreviewHeight, p.MIME, PreviewMax, PreviewMax/2)
		}
		got, _, err := image.Decode(bytes.NewReader(p.Data))
		if err != nil || got.Bounds().Dx() != PreviewMax {
			t.Errorf("%s: the preview decodes to %v (%v)", tc.mime, got.Bounds(), err)
		}
	}
	if _, err := MakePreview(bytes.NewReader([]byte("%PDF-1.4")), Kind{Ext: "pdf"}); !errors.Is(err, ErrNoPreview) {
		t.Errorf("a PDF: got %v, want ErrNoPreview", err)
	}
	// A PNG header declaring 100,000 × 100,000 pixels is not decoded.
	var bomb bytes.Buffer
	png.Encode(&bomb, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := bomb.Bytes()
	copy(b[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	if _, err := MakePreview(bytes.NewReader(b), Kind{Ext: "png", MIME: "image/png"}); !errors.Is(err, ErrNoPreview) {
		t.Errorf("a huge declared image: got %v, want ErrNoPreview", err)
	}
}
