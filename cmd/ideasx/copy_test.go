package main

import (
	"net/url"
	"strings"
	"testing"

	"ideasx/store/storetest"
)

// TestCopyCommandMovesDemoToPostgres: the demo installation moves to
// Postgres with a summary of matching counts, a second run asks for
// --replace, and a run with it gives the same summary. The target's
// password appears nowhere.
func TestCopyCommandMovesDemoToPostgres(t *testing.T) {
	vars := map[string]string{"IDEASX_DATA_DIR": t.TempDir(), "IDEASX_LOG_LEVEL": "warn"}
	if code, _, errOut := runCmd(t, "", vars, "demo"); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	u, err := url.Parse(storetest.NewPostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	// The test server trusts local connections, so any password does.
	u.User = url.UserPassword(u.User.Username(), "s3cretpw")
	to := u.String()

	code, out, errOut := runCmd(t, "", vars, "copy", "--to", to)
	if code != 0 || !strings.Contains(out, "copy verified") || strings.Contains(out, "MISMATCH") {
		t.Fatalf("copy: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, table := range []string{"users", "threads", "posts", "documents", "live_events"} {
		if !strings.Contains(out, table) {
			t.Errorf("summary lacks table %s:\n%s", table, out)
		}
	}
	code, again, errOut := runCmd(t, "", vars, "copy", "--to", to)
	if code != 1 || !strings.Contains(errOut, "--replace") {
		t.Errorf("second copy without --replace: exit %d, %q; want 1 and a hint about --replace", code, errOut)
	}
	code, replaced, errOut := runCmd(t, "", vars, "copy", "--to", to, "--replace")
	if code != 0 || summary(replaced) != summary(out) {
		t.Errorf("copy --replace: exit %d %s\ngot summary\n%s\nwant\n%s", code, errOut, summary(replaced), summary(out))
	}
	for _, s := range []string{out, again, errOut, replaced} {
		if strings.Contains(s, "s3cretpw") {
			t.Errorf("the password was printed: %s", s)
		}
	}
	if code, _, errOut := runCmd(t, "", vars, "copy", "--to", "mysql://x"); code != 2 || !strings.Contains(errOut, "postgres://") {
		t.Errorf("copy to a non-Postgres URL: exit %d, %q; want 2", code, errOut)
	}
}

// summary is the per-table part of copy's output.
func summary(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasSuffix(l, "ok") || strings.HasSuffix(l, "MISMATCH") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
