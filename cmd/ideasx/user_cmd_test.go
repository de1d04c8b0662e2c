package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ideasx/server/auth"
	"ideasx/store"
	"ideasx/store/storetest"
)

func TestUserAdminCommandsAreAuditedAndEndAccess(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			vars := map[string]string{"IDEASX_DATA_DIR": t.TempDir(), "IDEASX_LOG_LEVEL": "warn"}
			if e == storetest.Postgres {
				vars["IDEASX_DATABASE_URL"] = storetest.NewPostgresSchema(t)
			}
			must := func(stdin string, args ...string) string {
				t.Helper()
				code, out, errOut := runCmd(t, stdin, vars, args...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", args, code, errOut)
				}
				return out
			}
			must("an admin password\n", "user", "create", "--email", "ada@secretariat.example", "--name", "Ada Admin", "--role", "admin", "--org", "Secretariat")
			must("a member password\n", "user", "create", "--email", "mo@member.example", "--name", "Mo\tMember", "--org", "Member Org")
			token := strings.TrimSpace(must("", "token", "create", "--email", "mo@member.example", "--name", "ci"))
			token = token[strings.LastIndex(token, "\n")+1:]

			st, err := store.Open(ctx, store.Options{DatabaseURL: vars["IDEASX_DATABASE_URL"], DataDir: vars["IDEASX_DATA_DIR"]})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			mo, err := st.UserByEmail(ctx, "mo@member.example")
			if err != nil {
				t.Fatal(err)
			}
			if err := st.CreateSession(ctx, "mo-session", mo.ID, time.Hour, "127.0.0.1", "test"); err != nil {
				t.Fatal(err)
			}
			topic := fmt.Sprintf("user:%d", mo.ID)
			seqBefore, _ := st.TopicSeq(ctx, topic)

			// A short password is refused by the web's rule.
			if code, _, errOut := runCmd(t, "short\n", vars, "user", "set-password", "--email", "mo@member.example"); code != 1 || !strings.Contains(errOut, "from 10 to 256") {
				t.Errorf("short password: got %d %q, want 1 and the rule", code, errOut)
			}
			out := must("a brand new password\n", "user", "set-password", "--email", "MO@member.example")
			if !strings.Contains(out, "mo@member.example") {
				t.Errorf("set-password said %q", out)
			}
			mo, _ = st.UserByEmail(ctx, "mo@member.example")
			if auth.CheckPassword(mo.PasswordHash, "a brand new password") != nil {
				t.Error("the new password does not sign in")
			}
			if _, _, err := st.SessionUser(ctx, "mo-session"); err == nil {
				t.Error("the session survived the password change")
			}
			if _, err := st.UserByAPIToken(ctx, auth.HashToken(token)); err == nil {
				t.Error("the API token survived the password change")
			}
			if seq, _ := st.TopicSeq(ctx, topic); seq <= seqBefore {
				t.Errorf("no account.changed event for the person's live connections (seq %d, was %d)", seq, seqBefore)
			}

			must("", "user", "suspend", "--email", "mo@member.example")
			if mo, _ = st.UserByEmail(ctx, "mo@member.example"); mo.Status != store.StatusSuspended {
				t.Errorf("after suspend: got %s, want suspended", mo.Status)
			}
			must("", "user", "activate", "--email", "mo@member.example")
			must("", "user", "role", "--email", "mo@member.example", "--role", "moderator")
			if mo, _ = st.UserByEmail(ctx, "mo@member.example"); mo.Status != store.StatusActive || mo.Role != store.RoleModerator {
				t.Errorf("after activate and role: got %s %s, want active moderator", mo.Status, mo.Role)
			}

			entries, err := st.AuditLog(ctx, store.AuditFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, a := range entries {
				if a.TargetID == mo.ID {
					actions = append(actions, a.Action)
					if a.ActorID != store.SystemActor {
						t.Errorf("%s: actor %d, want the command line's (%d)", a.Action, a.ActorID, store.SystemActor)
					}
				}
			}
			if got := strings.Join(actions, ","); got != "user.role,user.status,user.status,user.password" {
				t.Errorf("audit entries: got %s, want user.role,user.status,user.status,user.password", got)
			}

			out = must("", "user", "list", "--role", "moderator")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "ORGANISATION") ||
				!strings.Contains(lines[1], "mo@member.example") || !strings.Contains(lines[1], "Mo Member") || !strings.Contains(lines[1], "Member Org") {
				t.Errorf("user list --role moderator:\n%s", out)
			}
			if out := must("", "user", "list", "--status", "suspended"); strings.Count(strings.TrimSpace(out), "\n") != 0 {
				t.Errorf("user list --status suspended lists someone:\n%s", out)
			}
			if code, _, errOut := runCmd(t, "", vars, "user", "list", "--status", "asleep"); code != 1 || !strings.Contains(errOut, "--status") {
				t.Errorf("bad status: %d %q", code, errOut)
			}

			// The only admin stays one.
			if code, _, errOut := runCmd(t, "", vars, "user", "suspend", "--email", "ada@secretariat.example"); code != 1 || !strings.Contains(errOut, "last active admin") {
				t.Errorf("suspending the last admin: %d %q", code, errOut)
			}
			if code, _, errOut := runCmd(t, "", vars, "user", "role", "--email", "nobody@x.example", "--role", "member"); code != 1 || !strings.Contains(errOut, "no account") {
				t.Errorf("unknown account: %d %q", code, errOut)
			}
		})
	}
}

func TestHelpListsCommandsAndWrongFlagsTakeOneLine(t *testing.T) {
	code, out, _ := runCmd(t, "", nil, "--help")
	if code != 0 {
		t.Fatalf("ideasx --help: exit %d", code)
	}
	for _, c := range []string{"[serve]", "migrate", "demo", "user COMMAND", "token create"} {
		if !strings.Contains(out, "ideasx "+c) {
			t.Errorf("ideasx --help lacks %q:\n%s", c, out)
		}
	}
	code, _, errOut := runCmd(t, "", nil, "user", "list", "--help")
	if code != 0 {
		t.Fatalf("user list --help: exit %d", code)
	}
	if own, shared := strings.Index(errOut, "--status"), strings.Index(errOut, "IDEASX_ADDR"); own < 0 || shared < 0 || own > shared {
		t.Errorf("user list --help does not show its own flags first:\n%s", errOut)
	}
	for _, args := range [][]string{{"demo", "--frobnicate"}, {"user", "list", "--bogus"}, {"serve", "extra"}, {"user", "frob"}, {"frobnicate"}} {
		code, _, errOut := runCmd(t, "", nil, args...)
		if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--help") {
			t.Errorf("%v: got exit %d and %q, want 2 and one line pointing to --help", args, code, errOut)
		}
	}
}
