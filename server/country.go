package server

import (
	"sort"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countryCodes lists ISO 3166-1 alpha-2 codes known to CLDR, found once by
// asking x/text about every two-letter pair.
var countryCodes = sync.OnceValue(func() []string {
	var out []string
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.String() != code {
				continue
			}
			if display.English.Regions().Name(r) == "" {
				continue
			}
			out = append(out, code)
		}
	}
	return out
})

func isCountryCode(code string) bool {
	for _, c := range countryCodes() {
		if c == code {
			return true
		}
	}
	return false
}

type countryOption struct{ Code, Name string }

var countryLists sync.Map // lang -> []countryOption

// countries lists every country named and sorted in lang.
func countries(lang string) []countryOption {
	if v, ok := countryLists.Load(lang); ok {
		return v.([]countryOption)
	}
	tag := language.Make(lang)
	namer := display.Regions(tag)
	var out []countryOption
	for _, code := range countryCodes() {
		out = append(out, countryOption{Code: code, Name: namer.Name(language.MustParseRegion(code))})
	}
	col := collate.New(tag)
	sort.Slice(out, func(i, j int) bool { return col.CompareString(out[i].Name, out[j].Name) < 0 })
	countryLists.Store(lang, out)
	return out
}

// countryName names a code in lang, or returns the code itself.
func countryName(lang, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil || code == "" {
		return code
	}
	if n := display.Regions(language.Make(lang)).Name(r); n != "" {
		return n
	}
	return code
}
