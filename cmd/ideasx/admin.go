package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"ideasx/server/auth"
	"ideasx/server/config"
	"ideasx/store"
)

// userCreate makes an active account from the shell, e.g. the first admin.
// The password comes from standard input so that it stays out of the
// process list and the shell history.
func userCreate(ctx context.Context, args []string, e env) error {
	p := config.NewParser("user create", e.getenv, e.stderr)
	fs := p.FlagSet()
	email := fs.String("email", "", "e-mail address (required)")
	name := fs.String("name", "", "display name (required)")
	role := fs.String("role", "member", "visitor, business, member, moderator or admin")
	org := fs.String("org", "", "organisation name; created when it does not exist (required)")
	kind := fs.String("org-kind", "", "kind of a new organisation: business, member, observer or secretariat (default from the role)")
	country := fs.String("country", "", "ISO country code of a new organisation")
	cfg, err := p.Parse(args)
	if err != nil {
		return err
	}
	r := store.Role(*role)
	switch {
	case *email == "" || !strings.Contains(*email, "@"):
		return errors.New("--email is required and must be an e-mail address")
	case strings.TrimSpace(*name) == "":
		return errors.New("--name is required")
	case strings.TrimSpace(*org) == "":
		return errors.New("--org is required")
	case !r.Valid() || r == store.RolePending:
		return fmt.Errorf("--role %q: must be visitor, business, member, moderator or admin", *role)
	}
	k := store.OrgKind(*kind)
	if k == "" {
		k = kindForRole(r)
	}
	if !k.Valid() {
		return fmt.Errorf("--org-kind %q: must be business, member, observer or secretariat", *kind)
	}
	password, err := readPassword(e, "user create")
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, store.NewUser{Email: *email, Name: *name, Role: r, Status: store.StatusActive, PasswordHash: hash},
		store.Organisation{Name: *org, Kind: k, Country: strings.ToUpper(*country)})
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("an account with the e-mail %s already exists", store.NormalizeEmail(*email))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created %s %s <%s> in %s (id %d)\n", u.Role, u.Name, u.Email, u.OrgName, u.ID)
	return nil
}

func kindForRole(r store.Role) store.OrgKind {
	switch r {
	case store.RoleBusiness:
		return store.OrgBusiness
	case store.RoleModerator, store.RoleAdmin:
		return store.OrgSecretariat
	default:
		return store.OrgMember
	}
}

// readPassword reads the first line of standard input and holds it to the
// web's rules for a new password.
func readPassword(e env, cmd string) (string, error) {
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no password on standard input (e.g. printf '%%s\\n' \"$PASSWORD\" | ideasx %s …)", cmd)
	}
	password := strings.TrimRight(line, "\r\n")
	if n := utf8.RuneCountInString(password); n < auth.MinPasswordLen || n > auth.MaxPasswordLen {
		return "", fmt.Errorf("the password must have from %d to %d characters", auth.MinPasswordLen, auth.MaxPasswordLen)
	}
	return password, nil
}

// tokenCreate makes a personal API token and prints it alone on the last
// line, so that scripts can take it with `tail -n 1`.
func tokenCreate(ctx context.Context, args []string, e env) error {
	p := config.NewParser("token create", e.getenv, e.stderr)
	fs := p.FlagSet()
	email := fs.String("email", "", "e-mail address of the account (required)")
	name := fs.String("name", "", "a name to recognise the token by (required)")
	cfg, err := p.Parse(args)
	if err != nil {
		return err
	}
	if *email == "" || strings.TrimSpace(*name) == "" {
		return errors.New("--email and --name are required")
	}
	st, err := openStore(ctx, cfg, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.UserByEmail(ctx, *email)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no account with the e-mail %s", store.NormalizeEmail(*email))
	}
	if err != nil {
		return err
	}
	if !u.Active() {
		return fmt.Errorf("the account %s is %s; a token would not work", u.Email, u.Status)
	}
	plain, hash := auth.NewToken(auth.APITokenPrefix)
	if _, err := st.CreateAPIToken(ctx, u.ID, *name, hash); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created API token %q for %s; it is shown only once:\n%s\n", strings.TrimSpace(*name), u.Email, plain)
	return nil
}
