package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ideasx/server/auth"
	"ideasx/store"
)

func TestDemoGivesANewcomerAPasswordToSignInWith(t *testing.T) {
	ctx := context.Background()
	vars := map[string]string{"IDEASX_DATA_DIR": t.TempDir(), "IDEASX_LOG_LEVEL": "warn"}
	signsIn := func(email, password string) bool {
		t.Helper()
		st, err := store.Open(ctx, store.Options{DataDir: vars["IDEASX_DATA_DIR"]})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		u, err := st.UserByEmail(ctx, email)
		return err == nil && u.Active() && auth.CheckPassword(u.PasswordHash, password) == nil
	}

	code, out, errOut := runCmd(t, "", vars, "demo")
	if code != 0 {
		t.Fatalf("demo: exit %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	printed := lines[len(lines)-1]
	if !strings.Contains(out, "shown only this once") || len(printed) < auth.MinPasswordLen || strings.Contains(printed, " ") {
		t.Fatalf("no generated password on the last line:\n%s", out)
	}
	for _, who := range []string{"lucia@cafe-montevideo.example", "delegate@uruguay.example"} {
		if !strings.Contains(out, who) {
			t.Errorf("the output does not name %s:\n%s", who, out)
		}
		if !signsIn(who, printed) {
			t.Errorf("%s cannot sign in with the printed password", who)
		}
	}

	// A rerun adds nothing and keeps the password the newcomer noted.
	code, out, _ = runCmd(t, "", vars, "demo")
	if code != 0 || strings.Contains(out, "password") {
		t.Errorf("second demo: exit %d, printed:\n%s", code, out)
	}
	if !signsIn("lucia@cafe-montevideo.example", printed) {
		t.Error("a rerun changed the printed password")
	}

	file := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(file, []byte("chosen demo password\n"), 0o600)
	if code, _, errOut := runCmd(t, "", vars, "demo", "--password-file", file); code != 0 {
		t.Fatalf("demo --password-file: exit %d %s", code, errOut)
	}
	if !signsIn("delegate@uruguay.example", "chosen demo password") {
		t.Error("the delegate cannot sign in with the password from the file")
	}
	os.WriteFile(file, []byte("short\n"), 0o600)
	if code, _, errOut := runCmd(t, "", vars, "demo", "--password-file", file); code != 1 || !strings.Contains(errOut, "from 10 to 256") {
		t.Errorf("short password file: exit %d %q", code, errOut)
	}
}
