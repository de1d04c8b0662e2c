package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrTargetNotEmpty means the Postgres database a copy would write to
// already holds an installation; CopyOptions.Replace overwrites it.
var ErrTargetNotEmpty = errors.New("the target database already holds data")

// CopyOptions tunes CopySQLiteToPostgres.
type CopyOptions struct {
	// Replace empties the target's tables before copying, so that a copy
	// can be run again over an earlier one.
	Replace bool
}

// CopiedTable is the row count of one table on both sides after a copy.
type CopiedTable struct {
	Name           string
	Source, Target int64
}

// CopyReport is what a copy checked once it had committed.
type CopyReport struct {
	Tables []CopiedTable
	// Files is how many stored files were read back and checksummed.
	Files int
	// Bytes is their total size.
	Bytes int64
	// FileMismatches names each file whose copied content does not hash to
	// the source's SHA-256.
	FileMismatches []string
	// Sequences is how many id sequences were moved past the copied ids.
	Sequences int
}

// OK reports whether every count and every checksum matched.
func (r *CopyReport) OK() bool {
	if len(r.FileMismatches) > 0 {
		return false
	}
	for _, t := range r.Tables {
		if t.Source != t.Target {
			return false
		}
	}
	return true
}

// Tables not copied: the migration bookkeeping is the target's own, and
// the unread counts are kept by the target's triggers as the notifications
// are copied in. (Full-text search lives in FTS5 tables on SQLite but in
// generated tsvector columns on Postgres, which recompute as rows are
// inserted.)
var copySkipped = map[string]bool{"schema_migrations": true, "notification_unread": true}

// copyBatchBytes bounds one INSERT's payload: file chunks are 256 KiB each.
const (
	copyBatchRows   = 500
	copyBatchParams = 60000
	copyBatchBytes  = 8 << 20
)

// CopySQLiteToPostgres copies every table of the embedded database at path
// into dst, a Postgres store migrated to the same schema version, in one
// transaction (a failed copy leaves dst as it was), keeping ids and then
// moving every id sequence past them. The source must not be in use: the
// copy holds the restore lock on it throughout so that no server starts on
// it meanwhile. Once committed it counts every table on both sides and
// hashes every copied file; the report says what differed.
func CopySQLiteToPostgres(ctx context.Context, path string, dst *Store, opts CopyOptions) (*CopyReport, error) {
	if dst.dialect.name() != "postgres" {
		return nil, errors.New("store: copy: the target must be a postgres:// database")
	}
	release, err := LockSQLiteExclusive(path)
	if err != nil {
		if errors.Is(err, ErrInUse) {
			return nil, fmt.Errorf("%w: stop the server (and any other ideasx command) before copying, so that nothing is written after the copy", err)
		}
		return nil, err
	}
	defer release()
	info, err := InspectSQLiteFile(ctx, path)
	if err != nil {
		return nil, err
	}
	if info.SchemaVersion < info.Supported {
		return nil, fmt.Errorf("the embedded database is at schema version %d and this binary at %d: run \"ideasx migrate\" on it first", info.SchemaVersion, info.Supported)
	}
	if v, err := dst.SchemaVersion(ctx); err != nil {
		return nil, err
	} else if v != info.SchemaVersion {
		return nil, fmt.Errorf("the target is at schema version %d, the source at %d: migrate the target first", v, info.SchemaVersion)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	src, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	defer src.Close()
	// One connection reads every table inside one read transaction: one snapshot.
	src.SetMaxOpenConns(1)

	plan, err := planCopy(ctx, src, dst.db.DB)
	if err != nil {
		return nil, err
	}
	if err := checkTargetEmpty(ctx, dst.db.DB, plan, opts); err != nil {
		return nil, err
	}
	srcTx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer srcTx.Rollback() //nolint:errcheck // read only
	tx, err := dst.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	// DELETE rather than TRUNCATE: TRUNCATE's exclusive locks would stop the
	// store's indexing below, which prepares its statements on other
	// connections. Children go first, so no foreign key is left dangling.
	for i := len(plan) - 1; i >= 0; i-- {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(plan[i].name)); err != nil {
			return nil, fmt.Errorf("store: copy: empty target table %s: %w", plan[i].name, err)
		}
	}
	for _, t := range plan {
		if err := copyTable(ctx, srcTx, tx.Tx, t); err != nil {
			return nil, fmt.Errorf("store: copy %s: %w", t.name, err)
		}
	}
	if err := dst.rebuildSearch(ctx, tx); err != nil {
		return nil, err
	}
	seqs, err := resetSequences(ctx, tx.Tx)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: copy: commit: %w", err)
	}
	// Fresh statistics, or the planner guesses from an empty table's.
	// Only these tables: a bare ANALYZE reads every schema of the database.
	for _, t := range plan {
		_, _ = dst.db.ExecContext(ctx, `ANALYZE `+quoteIdent(t.name))
	}
	report := &CopyReport{Sequences: seqs}
	if err := verifyCopy(ctx, srcTx, dst.db.DB, plan, report); err != nil {
		return report, err
	}
	return report, nil
}

type copyColumn struct {
	name, pgType string
}

type copyPlanTable struct {
	name    string
	columns []copyColumn
	orderBy string
}

// planCopy lists the tables to copy in an order where every foreign key
// points to a table already copied. A table or column found on one side
// only stops the copy: copying it silently would lose data.
func planCopy(ctx context.Context, src, dst *sql.DB) ([]copyPlanTable, error) {
	srcTables, err := sqliteTables(ctx, src)
	if err != nil {
		return nil, err
	}
	rows, err := dst.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		return nil, err
	}
	dstTables := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		if !copySkipped[n] {
			dstTables[n] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var missing []string
	for n := range srcTables {
		if !dstTables[n] {
			missing = append(missing, n+" (only in the source)")
		}
	}
	for n := range dstTables {
		if !srcTables[n] {
			missing = append(missing, n+" (only in the target)")
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("store: copy: the two databases do not have the same tables: %s", strings.Join(missing, ", "))
	}
	order, err := foreignKeyOrder(ctx, dst, dstTables)
	if err != nil {
		return nil, err
	}
	plan := make([]copyPlanTable, 0, len(order))
	for _, n := range order {
		t, err := planTable(ctx, src, dst, n)
		if err != nil {
			return nil, err
		}
		plan = append(plan, t)
	}
	return plan, nil
}

// sqliteTables lists the source's tables without SQLite's own, the FTS5
// virtual tables and their shadow tables.
func sqliteTables(ctx context.Context, src *sql.DB) (map[string]bool, error) {
	rows, err := src.QueryContext(ctx, `SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	all := map[string]bool{}
	var virtual []string
	for rows.Next() {
		var name, ddl string
		if err := rows.Scan(&name, &ddl); err != nil {
			return nil, err
		}
		if strings.HasPrefix(strings.ToUpper(ddl), "CREATE VIRTUAL TABLE") {
			virtual = append(virtual, name)
			continue
		}
		if !copySkipped[name] {
			all[name] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for n := range all {
		for _, v := range virtual {
			if strings.HasPrefix(n, v+"_") {
				delete(all, n)
			}
		}
	}
	return all, nil
}

func foreignKeyOrder(ctx context.Context, dst *sql.DB, tables map[string]bool) ([]string, error) {
	rows, err := dst.QueryContext(ctx, `SELECT c.relname, p.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
		WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, err
	}
	deps := map[string]map[string]bool{}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			rows.Close()
			return nil, err
		}
		// A table pointing to itself is copied in id order: a row refers to older ones.
		if child != parent && tables[parent] {
			if deps[child] == nil {
				deps[child] = map[string]bool{}
			}
			deps[child][parent] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	done := map[string]bool{}
	var order []string
	for len(order) < len(tables) {
		var ready []string
		for n := range tables {
			if done[n] {
				continue
			}
			ok := true
			for p := range deps[n] {
				if !done[p] {
					ok = false
				}
			}
			if ok {
				ready = append(ready, n)
			}
		}
		if len(ready) == 0 {
			return nil, errors.New("store: copy: the tables' foreign keys form a cycle")
		}
		sort.Strings(ready)
		for _, n := range ready {
			done[n] = true
		}
		order = append(order, ready...)
	}
	return order, nil
}

func planTable(ctx context.Context, src, dst *sql.DB, name string) (copyPlanTable, error) {
	t := copyPlanTable{name: name}
	rows, err := dst.QueryContext(ctx, `SELECT column_name, data_type, is_generated FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, name)
	if err != nil {
		return t, err
	}
	dstCols := map[string]bool{}
	for rows.Next() {
		var c copyColumn
		var generated string
		if err := rows.Scan(&c.name, &c.pgType, &generated); err != nil {
			rows.Close()
			return t, err
		}
		dstCols[c.name] = true
		// Generated columns (the search vectors) compute themselves from the copied text.
		if generated != "ALWAYS" {
			t.columns = append(t.columns, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t, err
	}
	srows, err := src.QueryContext(ctx, `SELECT name, pk FROM pragma_table_info(?)`, name)
	if err != nil {
		return t, err
	}
	defer srows.Close()
	srcCols := map[string]bool{}
	pk := map[int]string{}
	for srows.Next() {
		var n string
		var k int
		if err := srows.Scan(&n, &k); err != nil {
			return t, err
		}
		srcCols[n] = true
		if k > 0 {
			pk[k] = n
		}
		if !dstCols[n] {
			return t, fmt.Errorf("store: copy: column %s.%s is only in the source", name, n)
		}
	}
	if err := srows.Err(); err != nil {
		return t, err
	}
	for _, c := range t.columns {
		if !srcCols[c.name] {
			return t, fmt.Errorf("store: copy: column %s.%s is only in the target", name, c.name)
		}
	}
	keys := make([]string, 0, len(pk))
	for i := 1; i <= len(pk); i++ {
		keys = append(keys, quoteIdent(pk[i]))
	}
	t.orderBy = strings.Join(keys, ", ")
	if t.orderBy == "" {
		t.orderBy = "rowid"
	}
	return t, nil
}

// checkTargetEmpty refuses to write over an installation. A freshly
// migrated database already has the seeded themes, so they do not count.
func checkTargetEmpty(ctx context.Context, dst *sql.DB, plan []copyPlanTable, opts CopyOptions) error {
	if opts.Replace {
		return nil
	}
	var full []string
	for _, t := range plan {
		if t.name == "themes" {
			continue
		}
		var any bool
		if err := dst.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+quoteIdent(t.name)+`)`).Scan(&any); err != nil {
			return err
		}
		if any {
			full = append(full, t.name)
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("%w (rows in %s); pass --replace to empty it and copy again", ErrTargetNotEmpty, strings.Join(full, ", "))
	}
	return nil
}

func copyTable(ctx context.Context, src, dst *sql.Tx, t copyPlanTable) error {
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quoteIdent(c.name)
	}
	list := strings.Join(cols, ", ")
	rows, err := src.QueryContext(ctx, `SELECT `+list+` FROM `+quoteIdent(t.name)+` ORDER BY `+t.orderBy)
	if err != nil {
		return err
	}
	defer rows.Close()
	maxRows := min(copyBatchRows, copyBatchParams/len(cols))
	var (
		args  []any
		n     int
		bytes int
	)
	flush := func() error {
		if n == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString(`INSERT INTO ` + quoteIdent(t.name) + ` (` + list + `) VALUES `)
		for r := 0; r < n; r++ {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteString(", ")
				}
				b.WriteString("$" + strconv.Itoa(r*len(cols)+c+1))
			}
			b.WriteByte(')')
		}
		_, err := dst.ExecContext(ctx, b.String(), args...)
		args, n, bytes = args[:0], 0, 0
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, c := range t.columns {
			v, err := toPostgres(vals[i], c.pgType)
			if err != nil {
				return fmt.Errorf("column %s: %w", c.name, err)
			}
			if b, ok := v.([]byte); ok {
				bytes += len(b)
			}
			args = append(args, v)
		}
		n++
		if n >= maxRows || bytes >= copyBatchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// sqliteTimeLayouts are the forms a timestamp takes in the embedded
// database: the driver's (see sqliteDSN) and SQL's CURRENT_TIMESTAMP.
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05",
	time.RFC3339Nano,
}

// toPostgres converts what SQLite's loose typing returned to the target
// column's type: booleans are integers there, and a timestamp the driver
// could not recognise arrives as text.
func toPostgres(v any, pgType string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch pgType {
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case string:
			return strconv.ParseBool(x)
		}
	case "timestamp with time zone", "timestamp without time zone":
		switch x := v.(type) {
		case time.Time:
			return x.UTC(), nil
		case string:
			for _, l := range sqliteTimeLayouts {
				if t, err := time.Parse(l, x); err == nil {
					return t.UTC(), nil
				}
			}
			return nil, fmt.Errorf("unreadable timestamp %q", x)
		}
	case "bytea":
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case "text":
		switch x := v.(type) {
		case []byte:
			return string(x), nil
		case string:
			return x, nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		}
	default:
		return v, nil
	}
	return nil, fmt.Errorf("cannot store a %T as %s", v, pgType)
}

// rebuildSearch fills the search text of every post and document with the
// store's own indexing, from which Postgres generates its search vectors:
// SQLite keeps the posts' search text in its FTS5 table only.
func (s *Store) rebuildSearch(ctx context.Context, tx *sqlx.Tx) error {
	if err := rebuildPostSearch(ctx, tx); err != nil {
		return fmt.Errorf("store: copy: rebuild search: %w", err)
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT id FROM documents ORDER BY id`); err != nil {
		return fmt.Errorf("store: copy: rebuild search: %w", err)
	}
	for _, id := range ids {
		if err := s.reindexDocument(ctx, tx, id); err != nil {
			return fmt.Errorf("store: copy: rebuild search: %w", err)
		}
	}
	return nil
}

// rebuildPostSearch fills the posts' search text a page at a time, as
// indexPostText does for one post (the opening post also carries the
// thread's title), in one statement per page instead of two round trips
// per post.
func rebuildPostSearch(ctx context.Context, tx *sqlx.Tx) error {
	const page = 1000
	after := int64(0)
	for {
		var posts []struct {
			ID        int64  `db:"id"`
			Body      string `db:"body"`
			Title     string `db:"title"`
			IsOpening bool   `db:"is_opening"`
		}
		if err := tx.SelectContext(ctx, &posts, `SELECT p.id, p.body, t.title,
			(p.id = (SELECT MIN(id) FROM posts WHERE thread_id = p.thread_id)) AS is_opening
			FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id > $1 ORDER BY p.id LIMIT $2`, after, page); err != nil {
			return err
		}
		if len(posts) == 0 {
			return nil
		}
		var b strings.Builder
		args := make([]any, 0, 3*len(posts))
		b.WriteString(`UPDATE posts SET search_title = v.title, search_body = v.body FROM (VALUES `)
		for i, p := range posts {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "($%d::bigint, $%d::text, $%d::text)", 3*i+1, 3*i+2, 3*i+3)
			title := ""
			if p.IsOpening {
				title = FoldSearch(p.Title)
			}
			args = append(args, p.ID, title, FoldSearch(p.Body))
		}
		b.WriteString(`) AS v (id, title, body) WHERE posts.id = v.id`)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		after = posts[len(posts)-1].ID
	}
}

// resetSequences moves every id sequence past the highest copied id, so
// that the first row created after the move does not collide.
func resetSequences(ctx context.Context, tx *sql.Tx) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`)
	if err != nil {
		return 0, err
	}
	type col struct{ table, column string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.column); err != nil {
			rows.Close()
			return 0, err
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, c := range cols {
		_, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(`+quoteIdent(c.column)+`) FROM `+quoteIdent(c.table)+`), 0) + 1, false)`,
			quoteIdent(c.table), c.column)
		if err != nil {
			return 0, fmt.Errorf("store: copy: sequence of %s.%s: %w", c.table, c.column, err)
		}
	}
	return len(cols), nil
}

// verifyCopy counts every table on both sides and reads every file back
// from the target, hashing it against the source's recorded SHA-256.
func verifyCopy(ctx context.Context, src *sql.Tx, dst *sql.DB, plan []copyPlanTable, r *CopyReport) error {
	for _, t := range plan {
		ct := CopiedTable{Name: t.name}
		if err := src.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(t.name)).Scan(&ct.Source); err != nil {
			return err
		}
		if err := dst.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(t.name)).Scan(&ct.Target); err != nil {
			return err
		}
		r.Tables = append(r.Tables, ct)
	}
	type file struct {
		id       int64
		name     string
		size     int64
		checksum string
	}
	rows, err := src.QueryContext(ctx, `SELECT id, filename, size, sha256 FROM document_files ORDER BY id`)
	if err != nil {
		return err
	}
	var files []file
	for rows.Next() {
		var f file
		if err := rows.Scan(&f.id, &f.name, &f.size, &f.checksum); err != nil {
			rows.Close()
			return err
		}
		files = append(files, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range files {
		sum, size, err := hashFile(ctx, dst, f.id)
		if err != nil {
			return err
		}
		r.Files++
		r.Bytes += size
		if sum != f.checksum || size != f.size {
			r.FileMismatches = append(r.FileMismatches, fmt.Sprintf("file %d (%s): %d bytes with SHA-256 %s, want %d bytes with %s", f.id, f.name, size, sum, f.size, f.checksum))
		}
	}
	return nil
}

func hashFile(ctx context.Context, db *sql.DB, id int64) (string, int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT data FROM file_chunks WHERE file_id = $1 ORDER BY seq`, id)
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	h := sha256.New()
	var size int64
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return "", 0, err
		}
		h.Write(data)
		size += int64(len(data))
	}
	return hex.EncodeToString(h.Sum(nil)), size, rows.Err()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
