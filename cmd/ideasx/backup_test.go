package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"ideasx/server/buildinfo"
	"ideasx/store"
	"ideasx/store/storetest"
)

// writer keeps creating threads, each with a reply, through a store as the
// server would, and remembers which ones have committed.
type writer struct {
	mu        sync.Mutex
	committed []int64
	err       error
	stop      chan struct{}
	done      chan struct{}
}

func startWriter(t *testing.T, st *store.Store) *writer {
	t.Helper()
	ctx := context.Background()
	author, err := st.CreateUser(ctx, store.NewUser{Email: "writer@biz.example", Name: "Writer", Role: store.RoleBusiness, Status: store.StatusActive, PasswordHash: "x"},
		store.Organisation{Name: "Writer Ltd", Kind: store.OrgBusiness, Country: "CH"})
	if err != nil {
		t.Fatal(err)
	}
	themes, err := st.Themes(ctx, false)
	if err != nil || len(themes) == 0 {
		t.Fatalf("themes: %v %d", err, len(themes))
	}
	w := &writer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				return
			default:
			}
			th, err := st.CreateThread(ctx, store.NewThread{ThemeID: themes[0].ID, Kind: store.Discussion, Title: fmt.Sprintf("Thread %d", i),
				Attribution: store.OnTheRecord, Body: "first", HTML: "<p>first</p>", Author: author})
			if err == nil {
				_, err = st.CreatePost(ctx, store.NewPost{ThreadID: th.ID, Author: author, Body: "reply", HTML: "<p>reply</p>"})
			}
			w.mu.Lock()
			if err != nil {
				w.err = err
				w.mu.Unlock()
				return
			}
			w.committed = append(w.committed, th.ID)
			w.mu.Unlock()
		}
	}()
	t.Cleanup(w.halt)
	return w
}

func (w *writer) halt() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
}

func (w *writer) snapshot() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int64(nil), w.committed...)
}

func (w *writer) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(w.snapshot()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the writer committed %d threads in 30 s (error %v)", len(w.snapshot()), w.err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestBackupWhileWritesGoOn(t *testing.T) {
	dir := t.TempDir()
	st := storetest.OpenOptions(t, store.Options{DataDir: dir})
	w := startWriter(t, st)
	w.waitFor(t, 20)

	before := w.snapshot()
	file := filepath.Join(t.TempDir(), "ideasx-backup.db")
	code, out, errOut := runCmd(t, "", map[string]string{"IDEASX_DATA_DIR": dir}, "backup", file)
	after := w.snapshot()
	w.halt()
	if code != 0 || !strings.Contains(out, "integrity check ok") {
		t.Fatalf("backup: exit %d, %q %q", code, out, errOut)
	}
	if w.err != nil {
		t.Fatalf("a write failed while the backup ran: %v", w.err)
	}
	if len(after) == len(before) {
		t.Logf("no write committed while the backup ran (%d before); the test proves less", len(before))
	}

	db := openReadOnly(t, file)
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	var missing []int64
	for _, id := range before {
		var posts int
		if err := db.QueryRow(`SELECT count(*) FROM posts WHERE thread_id = ?`, id).Scan(&posts); err != nil {
			t.Fatal(err)
		}
		if posts != 2 {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d of the %d threads committed before the backup began lack their posts in it: %v", len(missing), len(before), missing)
	}
	var threads int
	if err := db.QueryRow(`SELECT count(*) FROM threads`).Scan(&threads); err != nil {
		t.Fatal(err)
	}
	if threads < len(before) || threads > len(after)+1 {
		t.Errorf("backup has %d threads, want from %d to %d", threads, len(before), len(after)+1)
	}
	t.Logf("threads committed: %d before the backup, %d after; in the backup: %d", len(before), len(after), threads)

	// Nothing but the backup is left beside it.
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files beside the backup: %v, want only %s", names, filepath.Base(file))
	}

	// An existing file is kept unless --force says otherwise.
	code, _, errOut = runCmd(t, "", map[string]string{"IDEASX_DATA_DIR": dir}, "backup", file)
	if code != 1 || !strings.Contains(errOut, "--force") {
		t.Errorf("backup onto an existing file: exit %d %q, want 1 naming --force", code, errOut)
	}
	if code, out, errOut := runCmd(t, "", map[string]string{"IDEASX_DATA_DIR": dir}, "backup", file, "--force"); code != 0 {
		t.Errorf("backup --force: exit %d %q %q", code, out, errOut)
	}
}

func TestBackupOnPostgresExplainsPgDumpWithoutThePassword(t *testing.T) {
	vars := map[string]string{"IDEASX_DATABASE_URL": "postgres://ideasx:s3cret-pw@db.example:5432/ideasx?sslmode=require&binary_parameters=yes"}
	code, out, errOut := runCmd(t, "", vars, "backup", "ideasx.dump")
	if code != 1 {
		t.Errorf("exit %d, want 1: no backup file was written", code)
	}
	want := "pg_dump --format=custom --no-owner --file=ideasx.dump 'postgres://ideasx@db.example:5432/ideasx?sslmode=require'"
	if !strings.Contains(errOut, want) || !strings.Contains(errOut, "PGPASSWORD") {
		t.Errorf("got %q, want the command %s and where the password goes", errOut, want)
	}
	if strings.Contains(out+errOut, "s3cret-pw") {
		t.Errorf("the password was printed: %q", out+errOut)
	}
	code, _, errOut = runCmd(t, "", vars, "restore", "ideasx.dump")
	if code != 1 || !strings.Contains(errOut, "pg_restore") || strings.Contains(errOut, "s3cret-pw") {
		t.Errorf("restore on Postgres: exit %d %q, want pg_restore explained without the password", code, errOut)
	}
}

// backupOf makes a backup of a fresh database holding one thread titled title.
func backupOf(t *testing.T, title string) string {
	t.Helper()
	dir := t.TempDir()
	st := storetest.OpenOptions(t, store.Options{DataDir: dir})
	w := startWriter(t, st)
	w.waitFor(t, 1)
	w.halt()
	if _, err := st.DB().Exec(`UPDATE threads SET title = ?`, title); err != nil {
		t.Fatal(err)
	}
	st.Close()
	file := filepath.Join(t.TempDir(), "b.db")
	if code, out, errOut := runCmd(t, "", map[string]string{"IDEASX_DATA_DIR": dir}, "backup", file); code != 0 {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	return file
}

func titles(t *testing.T, path string) string {
	t.Helper()
	var s sql.NullString
	if err := openReadOnly(t, path).QueryRow(`SELECT group_concat(DISTINCT title) FROM threads`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s.String
}

func TestRestoreRefusesALiveDatabaseUnlessForced(t *testing.T) {
	file := backupOf(t, "from the backup")
	dir := t.TempDir()
	vars := map[string]string{"IDEASX_DATA_DIR": dir}
	live := storetest.OpenOptions(t, store.Options{DataDir: dir})
	w := startWriter(t, live)
	w.waitFor(t, 1)
	w.halt()

	code, _, errOut := runCmd(t, "", vars, "restore", file)
	if code != 1 || !strings.Contains(errOut, "in use") || !strings.Contains(errOut, "--force") {
		t.Fatalf("restore under a running store: exit %d %q, want 1, in use, --force", code, errOut)
	}
	if got := titles(t, filepath.Join(dir, "ideasx.db")); !strings.HasPrefix(got, "Thread 0") {
		t.Errorf("the refused restore changed the database: titles %q", got)
	}

	code, out, errOut := runCmd(t, "", vars, "restore", "--force", file)
	if code != 0 || !strings.Contains(errOut, "in use") {
		t.Fatalf("restore --force: exit %d %q %q", code, out, errOut)
	}
	live.Close()
	if got := titles(t, filepath.Join(dir, "ideasx.db")); got != "from the backup" {
		t.Errorf("after restore --force: titles %q, want the backup's", got)
	}
}

func TestRestoreKeepsThePreviousDatabase(t *testing.T) {
	file := backupOf(t, "from the backup")
	dir := t.TempDir()
	vars := map[string]string{"IDEASX_DATA_DIR": dir}
	st := storetest.OpenOptions(t, store.Options{DataDir: dir})
	w := startWriter(t, st)
	w.waitFor(t, 1)
	w.halt()
	// Stopped, as a server is stopped before a restore.
	st.Close()

	code, out, errOut := runCmd(t, "", vars, "restore", file)
	if code != 0 || !strings.Contains(out, "previous database is kept as") {
		t.Fatalf("restore: exit %d %q %q", code, out, errOut)
	}
	kept, _ := filepath.Glob(filepath.Join(dir, "ideasx.db.before-restore-*"))
	var keptDB string
	for _, k := range kept {
		if !strings.HasSuffix(k, "-wal") && !strings.HasSuffix(k, "-shm") {
			keptDB = k
		}
	}
	if keptDB == "" || !strings.Contains(out, keptDB) {
		t.Fatalf("no kept database named in %q (files %v)", out, kept)
	}
	if got := titles(t, keptDB); !strings.HasPrefix(got, "Thread 0") {
		t.Errorf("kept database: titles %q, want the one before the restore", got)
	}
	// The restored database opens as a server would open it, and migrates.
	st2 := storetest.OpenOptions(t, store.Options{DataDir: dir})
	var got string
	if err := st2.DB().QueryRow(`SELECT title FROM threads`).Scan(&got); err != nil || got != "from the backup" {
		t.Errorf("restored database: title %q %v, want the backup's", got, err)
	}
}

func TestRestoreRefusesWhatIsNotABackupItCanRun(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"IDEASX_DATA_DIR": dir}

	notSQLite := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notSQLite, []byte("these are not the rows you are looking for, not at all, nope\n"), 0o600)
	otherSQLite := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", "file:"+otherSQLite)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE recipes (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	future := backupOf(t, "x")
	db, err = sql.Open("sqlite", "file:"+future)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_later.sql', '2030-01-01')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	known, _ := store.SupportedSchemaVersion("sqlite")

	for _, tc := range []struct{ name, file, want string }{
		{"missing", filepath.Join(dir, "nope.db"), "no such file"},
		{"not SQLite", notSQLite, "not a readable SQLite database"},
		{"not ideasx", otherSQLite, "not an ideasx one"},
		{"newer schema", future, fmt.Sprintf("version 999 (0999_later.sql), newer than this ideasx knows (version %d)", known)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, "", vars, "restore", tc.file)
			if code != 1 || !strings.Contains(errOut, tc.want) {
				t.Errorf("got exit %d %q, want 1 and %q", code, errOut, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "ideasx.db")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused restore left a database: %v", err)
			}
		})
	}
}

func TestServeRefusesASchemaNewerThanItKnows(t *testing.T) {
	dir := t.TempDir()
	st := storetest.OpenOptions(t, store.Options{DataDir: dir})
	known, _ := store.SupportedSchemaVersion("sqlite")
	if _, err := st.DB().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, '0999_later.sql', '2030-01-01')`, known+1); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, _, errOut := runCmd(t, "", map[string]string{"IDEASX_DATA_DIR": dir, "IDEASX_ADDR": "127.0.0.1:0"}, "serve")
	want := fmt.Sprintf("version %d (0999_later.sql), newer than this ideasx knows (version %d)", known+1, known)
	if code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("serve: exit %d %q, want 1 and %q", code, errOut, want)
	}
}

func TestVersionCommand(t *testing.T) {
	code, out, errOut := runCmd(t, "", nil, "version")
	bi := buildinfo.Get()
	want := "ideasx " + bi.Version + "\ncommit: " + bi.Commit + "\nbuilt: " + bi.Date + "\ngo: " + runtime.Version() + "\n"
	if code != 0 || out != want {
		t.Errorf("version: exit %d %q %q, want %q", code, out, errOut, want)
	}
}

func TestBackupCommandLine(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"IDEASX_DATA_DIR": dir}
	code, _, errOut := runCmd(t, "", vars, "backup", "--help")
	if code != 0 || !strings.Contains(errOut, "--force") {
		t.Errorf("backup --help: exit %d %q, want 0 and its --force flag", code, errOut)
	}
	for _, args := range [][]string{{"backup"}, {"backup", "a.db", "b.db"}, {"restore"}} {
		code, _, errOut := runCmd(t, "", vars, args...)
		if code != 2 || !strings.Contains(errOut, "want one FILE") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%v: exit %d %q, want 2 and one line asking for one FILE", args, code, errOut)
		}
	}
	code, _, errOut = runCmd(t, "", vars, "backup", "x.db", "--frobnicate")
	if code != 2 || !strings.Contains(errOut, "frobnicate") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Errorf("unknown flag: exit %d %q, want 2 and one line naming it", code, errOut)
	}
	code, _, errOut = runCmd(t, "", vars, "backup", filepath.Join(t.TempDir(), "x.db"))
	if code != 1 || !strings.Contains(errOut, "no database to back up") {
		t.Errorf("backup without a database: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "ideasx.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup created a database where there was none: %v", err)
	}
}

func TestStartUpLogNamesTheVersion(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the first log line is all this test wants
	var out, errOut strings.Builder
	vars := map[string]string{"IDEASX_DATA_DIR": t.TempDir(), "IDEASX_ADDR": "127.0.0.1:0"}
	run(ctx, []string{"serve"}, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }})
	first, _, _ := strings.Cut(errOut.String(), "\n")
	if !strings.Contains(first, `"msg":"starting ideasx"`) || !strings.Contains(first, `"version":"`+buildinfo.Get().Version+`"`) {
		t.Errorf("first log line %q does not name the version %q", first, buildinfo.Get().Version)
	}
}
