package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"ideasx/server/auth"
	"ideasx/server/config"
	"ideasx/store"
)

// cliActor is the audit actor of changes made from the command line: no
// account made them, and the audit page says "command line" for it.
const cliActor = store.SystemActor

const userUsage = `Usage: ideasx user COMMAND [flags]

Commands:
  create        create an active account; the password is read from standard input
  list          list accounts (--role, --status to filter)
  set-password  set an account's password from standard input; ends its sessions and API tokens
  suspend       suspend an account; ends its sessions
  activate      reactivate a suspended account
  role          change an account's role (--role)

Run "ideasx user COMMAND --help" for the flags of a command.
`

// userCommand runs one of the account commands. Changes go through the same
// store methods as the admin pages, so they are audited and the person's
// open pages and websockets are checked again at once.
func userCommand(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(e.stderr, userUsage)
		if len(args) == 0 {
			return usageError{Msg: "a command is missing (see ideasx user --help)"}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "create":
		return userCreate(ctx, args, e)
	case "list":
		return userList(ctx, args, e)
	case "set-password":
		return userSetPassword(ctx, args, e)
	case "suspend":
		return userSetStatus(ctx, "suspend", store.StatusSuspended, args, e)
	case "activate":
		return userSetStatus(ctx, "activate", store.StatusActive, args, e)
	case "role":
		return userSetRole(ctx, args, e)
	}
	return usageError{Msg: fmt.Sprintf("unknown command %q (see ideasx user --help)", sub)}
}

func userList(ctx context.Context, args []string, e env) error {
	p := config.NewParser("user list", e.getenv, e.stderr)
	fs := p.FlagSet()
	role := fs.String("role", "", "only accounts with this role: visitor, pending, business, member, moderator or admin")
	status := fs.String("status", "", "only accounts with this status: active, pending or suspended")
	cfg, err := p.Parse(args)
	if err != nil {
		return err
	}
	f := store.UserFilter{Role: store.Role(*role), Status: store.Status(*status), Limit: 200}
	if *role != "" && !f.Role.Valid() {
		return fmt.Errorf("--role %q: must be visitor, pending, business, member, moderator or admin", *role)
	}
	if *status != "" && f.Status != store.StatusActive && f.Status != store.StatusPending && f.Status != store.StatusSuspended {
		return fmt.Errorf("--status %q: must be active, pending or suspended", *status)
	}
	st, err := openStore(ctx, cfg, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tSTATUS\tORGANISATION")
	for {
		users, total, err := st.ListUsers(ctx, f)
		if err != nil {
			return err
		}
		for _, u := range users {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, oneLine(u.Name), u.Role, u.Status, oneLine(u.OrgName))
		}
		f.Offset += len(users)
		if len(users) == 0 || f.Offset >= total {
			break
		}
	}
	return tw.Flush()
}

// oneLine keeps a name that someone typed from breaking the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\t", " ")), " ")
}

// accountFlags parses the flags of a command that changes one account,
// opens the store and loads the account named by --email.
func accountFlags(ctx context.Context, name string, args []string, e env, extra func(p *config.Parser)) (*store.Store, *store.User, error) {
	p := config.NewParser(name, e.getenv, e.stderr)
	email := p.FlagSet().String("email", "", "e-mail address of the account (required)")
	if extra != nil {
		extra(p)
	}
	cfg, err := p.Parse(args)
	if err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(*email) == "" {
		return nil, nil, usageError{Msg: fmt.Sprintf("--email is required (see ideasx %s --help)", name)}
	}
	st, err := openStore(ctx, cfg, newLogger(cfg, e.stderr))
	if err != nil {
		return nil, nil, err
	}
	u, err := st.UserByEmail(ctx, *email)
	if err != nil {
		st.Close()
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, fmt.Errorf("no account with the e-mail %s", store.NormalizeEmail(*email))
		}
		return nil, nil, err
	}
	return st, u, nil
}

func userSetPassword(ctx context.Context, args []string, e env) error {
	st, u, err := accountFlags(ctx, "user set-password", args, e, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	password, err := readPassword(e, "user set-password --email "+u.Email)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if err := st.SetPasswordFor(ctx, cliActor, u.ID, hash); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password of %s changed; their sessions and API tokens are ended\n", u.Email)
	return nil
}

func userSetStatus(ctx context.Context, verb string, status store.Status, args []string, e env) error {
	st, u, err := accountFlags(ctx, "user "+verb, args, e, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case u.Status == store.StatusPending && status == store.StatusActive:
		return fmt.Errorf("%s is waiting for approval: approve the request on the admin pages, which also sets the role", u.Email)
	case u.Status == status:
		fmt.Fprintf(e.stdout, "%s is already %s\n", u.Email, status)
		return nil
	}
	if status != store.StatusActive {
		if err := keepAnAdmin(ctx, st, u); err != nil {
			return err
		}
	}
	if err := st.SetStatus(ctx, cliActor, u.ID, status); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is now %s\n", u.Email, status)
	return nil
}

func userSetRole(ctx context.Context, args []string, e env) error {
	var role *string
	st, u, err := accountFlags(ctx, "user role", args, e, func(p *config.Parser) {
		role = p.FlagSet().String("role", "", "the new role: visitor, business, member, moderator or admin (required)")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	r := store.Role(*role)
	if !r.Valid() || r == store.RolePending {
		return usageError{Msg: fmt.Sprintf("--role %q: must be visitor, business, member, moderator or admin", *role)}
	}
	if u.Status == store.StatusPending {
		return fmt.Errorf("%s is waiting for approval: approve the request on the admin pages, which sets the role", u.Email)
	}
	if u.Role == r {
		fmt.Fprintf(e.stdout, "%s is already %s\n", u.Email, r)
		return nil
	}
	if r != store.RoleAdmin {
		if err := keepAnAdmin(ctx, st, u); err != nil {
			return err
		}
	}
	if err := st.SetRole(ctx, cliActor, u.ID, r); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is now %s\n", u.Email, r)
	return nil
}

// keepAnAdmin refuses to take away the last active admin: the site would
// have nobody to approve accounts until someone ran the setup link again.
func keepAnAdmin(ctx context.Context, st *store.Store, u *store.User) error {
	if !u.IsAdmin() {
		return nil
	}
	n, err := st.CountAdmins(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return fmt.Errorf("%s is the last active admin; make another account admin first (ideasx user role --email … --role admin)", u.Email)
	}
	return nil
}

// usageError is a command line that cannot be run as written (exit code 2).
type usageError = config.UsageError
