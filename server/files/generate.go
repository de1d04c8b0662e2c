package files

import (
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"
)

// GeneratePDF returns a small but real PDF document: A4, the title in bold,
// then each paragraph, on as many pages as needed. Demo content and tests use
// it so that no binary file has to be committed, and so that the files they
// upload go through the same checks and text extraction as real ones.
//
// It uses the core Helvetica font, which needs no font file, with text
// translated from UTF-8 to Windows-1252: French and Spanish accents (é, ñ, à,
// ç, œ, €) come out right; characters outside that code page are printed as
// ".".
func GeneratePDF(title string, paragraphs ...string) ([]byte, error) {
	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetTitle(title, true)
	doc.SetCreator("Ideas Exchange", true)
	doc.SetAutoPageBreak(true, 20)
	doc.SetMargins(20, 20, 20)
	tr := doc.UnicodeTranslatorFromDescriptor("")

	doc.AddPage()
	doc.SetFont("Helvetica", "B", 16)
	doc.MultiCell(0, 8, tr(title), "", "L", false)
	doc.Ln(4)
	doc.SetFont("Helvetica", "", 11)
	for _, p := range paragraphs {
		doc.MultiCell(0, 5.5, tr(p), "", "L", false)
		doc.Ln(3)
	}

	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		return nil, fmt.Errorf("files: generate PDF: %w", err)
	}
	return buf.Bytes(), nil
}
