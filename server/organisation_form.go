package server

import (
	"regexp"
	"strings"

	"ideasx/store"
)

// maxOrgDomains bounds an organisation's e-mail domains; a delegation has
// a handful, a list of hundreds is a mistake.
const maxOrgDomains = 20

// domainPattern is a host name of at least two labels, in lower case.
var domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`)

// readOrganisationForm checks a moderator's edit of an organisation (the
// page's form, or the API's JSON turned into one) and applies it to o.
func readOrganisationForm(f *form, o *store.Organisation) {
	o.Name = f.text("name", true, 150)
	o.Kind = store.OrgKind(f.choice("kind", true, kindStrings()...))
	o.Country = f.country("country", false)
	o.SizeClass, o.Sector = "", ""
	if o.Kind == store.OrgBusiness {
		o.SizeClass = f.choice("size_class", false, store.SizeClasses...)
		o.Sector = f.text("sector", false, 100)
	}
	o.EmailDomains = f.domains("email_domains")
	switch strings.TrimSpace(f.values.Get("verified")) {
	case "", "false", "0":
		o.Verified = false
	case "on", "true", "1":
		o.Verified = true
	default:
		f.fail("verified", "error_choice")
	}
}

// domains reads e-mail domains separated by spaces, commas or lines
// ("@mfa.no" is taken as "mfa.no"), lower-cased and without repeats.
func (f *form) domains(name string) string {
	v := f.values.Get(name)
	if len(v) > 2000 {
		f.fail(name, "error_too_long", "Max", 2000)
		return ""
	}
	fields := strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	for i, d := range fields {
		d = strings.TrimSuffix(strings.TrimPrefix(d, "@"), ".")
		if len(d) > 253 || !domainPattern.MatchString(d) {
			f.fail(name, "error_domain", "Domain", d)
			return ""
		}
		fields[i] = d
	}
	joined := store.JoinDomains(fields)
	if n := len(strings.Fields(joined)); n > maxOrgDomains {
		f.fail(name, "error_domains_many", "Max", maxOrgDomains)
		return ""
	}
	return joined
}
