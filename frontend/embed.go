// Package frontend embeds what the browser sees: HTML templates, static
// assets (CSS, JavaScript, images) and the interface's translation files.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed templates static i18n
var files embed.FS

// Templates holds the html/template files.
func Templates() fs.FS { return sub("templates") }

// Static holds the files served under /static/.
func Static() fs.FS { return sub("static") }

// Translations holds one message file per language (en.toml, fr.toml, es.toml).
func Translations() fs.FS { return sub("i18n") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded above; only a broken build gets here
	}
	return f
}
