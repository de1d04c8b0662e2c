package files

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
)

// PreviewMax is the longest side, in pixels, of a preview: a post's column
// is at most 720 CSS pixels wide, and this stays sharp on a 1.5x screen.
const PreviewMax = 1080

// maxPreviewPixels bounds the images decoded for a preview: a 25 MB PNG of
// one colour can declare 100,000 × 100,000 pixels, 40 GB once decoded.
// Bigger images are kept and listed like other files, without a preview.
const maxPreviewPixels = 50_000_000

// ErrNoPreview means the file is not an image a preview can be made of.
var ErrNoPreview = errors.New("files: no preview")

// Preview is an image's size and a smaller copy of it to show inline.
type Preview struct {
	Width, Height int // of the original
	Data          []byte
	MIME          string
	PreviewWidth  int
	PreviewHeight int
}

// MakePreview decodes a PNG or JPEG image (kind from Sniff) and returns its
// size and a copy whose longest side is at most PreviewMax (the image itself,
// re-encoded, when it is already smaller), in the same format, so that a
// transparent PNG stays transparent. Re-encoding also drops what the
// original carried besides pixels (EXIF with a camera's position, comments).
// Anything else, or an image too large to decode safely, is ErrNoPreview.
func MakePreview(r io.ReadSeeker, kind Kind) (Preview, error) {
	if kind.Ext != "png" && kind.Ext != "jpg" {
		return Preview{}, ErrNoPreview
	}
	cfg, _, err := image.DecodeConfig(r)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPreviewPixels {
		return Preview{}, ErrNoPreview
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Preview{}, err
	}
	src, _, err := image.Decode(r)
	if err != nil {
		return Preview{}, ErrNoPreview
	}
	p := Preview{Width: cfg.Width, Height: cfg.Height, PreviewWidth: cfg.Width, PreviewHeight: cfg.Height, MIME: kind.MIME}
	if longest := max(cfg.Width, cfg.Height); longest > PreviewMax {
		p.PreviewWidth = max(1, cfg.Width*PreviewMax/longest)
		p.PreviewHeight = max(1, cfg.Height*PreviewMax/longest)
	}
	dst := image.NewRGBA(image.Rect(0, 0, p.PreviewWidth, p.PreviewHeight))
	// Catmull-Rom: the sharpest of x/image's kernels for downscaling, and
	// previews are made once, at upload.
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if kind.Ext == "png" {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, dst)
	} else {
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 82})
	}
	if err != nil {
		return Preview{}, err
	}
	p.Data = buf.Bytes()
	return p, nil
}
