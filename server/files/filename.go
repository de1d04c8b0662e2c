package files

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameRunes is the longest file name SafeFilename returns, extension
// included: long enough for a real title, short enough for every file system
// (255 bytes) even when each rune takes several bytes.
const MaxNameRunes = 120

// SafeFilename turns an uploaded file name into one fit for storage, display
// and the Content-Disposition header.
//
// It keeps only the last path element (browsers on Windows send "C:\…\x.pdf",
// attackers send "../../x"), drops control and invisible formatting characters
// (a right-to-left override can make "gpj.exe" read "exe.jpg"), drops the
// characters that break a quoted header value or are reserved on Windows,
// collapses white space, trims dots and spaces, limits the length to
// MaxNameRunes and sets the extension to kind.Ext, because the sniffed type,
// not the uploader, decides how the file opens on the reader's machine. When
// nothing is left the name is "document.<ext>". Letters of every script are
// kept. With a zero Kind the extension of name is kept as it is.
func SafeFilename(name string, kind Kind) string {
	// Base name only, whichever separator the client's OS uses.
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}

	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(name, "") {
		switch {
		case unicode.IsSpace(r):
			// Tabs and newlines included: they collapse into one space.
			space = true
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r),
			unicode.Is(unicode.Co, r), r == utf8.RuneError:
			continue
		case strings.ContainsRune("\"\\;/<>:|?*", r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	name = trimDotsSpaces(b.String())

	stem, ext := splitExt(name)
	if kind.Ext != "" {
		ext = kind.Ext
	}
	stem = trimDotsSpaces(stem)
	if max := MaxNameRunes - 1 - utf8.RuneCountInString(ext); utf8.RuneCountInString(stem) > max {
		stem = trimDotsSpaces(string([]rune(stem)[:max]))
	}
	if stem == "" {
		stem = "document"
	}
	if ext == "" {
		return stem
	}
	return stem + "." + ext
}

// splitExt splits name into stem and extension when the part after the last
// dot looks like a file extension: 1 to 8 ASCII letters or digits, at least
// one letter. Document symbols end in ".2" ("…-Rev.2") and must not lose it.
func splitExt(name string) (stem, ext string) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 || len(name)-i-1 > 8 {
		return name, ""
	}
	e := name[i+1:]
	letter := false
	for _, r := range e {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letter = true
		case r >= '0' && r <= '9':
		default:
			return name, ""
		}
	}
	if !letter {
		return name, ""
	}
	return name[:i], e
}

func trimDotsSpaces(s string) string {
	return strings.Trim(s, ". ")
}

// ContentDisposition returns the value of a Content-Disposition header
// (RFC 6266) for filename, "inline" to show it in the browser or "attachment"
// to download it.
//
// Both parameters are given: filename="…" with non-ASCII characters replaced
// by "_" for old clients, and filename* in the RFC 8187 form (charset UTF-8,
// no language, percent-encoded bytes) that current browsers prefer, so that
// "Genève.pdf" keeps its accent. filename is expected to come from
// SafeFilename; quotes, backslashes and control characters are replaced
// anyway so that the header cannot be broken.
func ContentDisposition(filename string, inline bool) string {
	typ := "attachment"
	if inline {
		typ = "inline"
	}
	var ascii, enc strings.Builder
	for _, r := range filename {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	const hex = "0123456789ABCDEF"
	for _, c := range []byte(filename) {
		if isAttrChar(c) {
			enc.WriteByte(c)
		} else {
			enc.WriteByte('%')
			enc.WriteByte(hex[c>>4])
			enc.WriteByte(hex[c&15])
		}
	}
	return typ + `; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}

// isAttrChar reports whether c may appear unencoded in an RFC 8187 value.
func isAttrChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
