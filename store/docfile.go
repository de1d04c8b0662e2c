package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jmoiron/sqlx"
)

// chunkSize is how much of a file one row holds: small enough that a
// download holds little in memory, large enough that a 25 MB file is 100 rows.
const chunkSize = 256 << 10

// DocFile is one version of one language file of a document.
type DocFile struct {
	ID          int64     `db:"id" json:"id"`
	DocumentID  int64     `db:"document_id" json:"document_id"`
	Lang        string    `db:"lang" json:"lang"`
	Version     int       `db:"version" json:"version"`
	Filename    string    `db:"filename" json:"filename"`
	ContentType string    `db:"content_type" json:"content_type"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

const fileColumns = `id, document_id, lang, version, filename, content_type, size, sha256, created_at`

// ErrTooLarge is returned when a file goes over the size limit.
var ErrTooLarge = errors.New("file too large")

// NewFile describes an upload whose content comes from a reader.
type NewFile struct {
	DocumentID  int64
	Lang        string
	Filename    string
	ContentType string
	MaxSize     int64
}

// AddFile stores the content of r as the next version of the document's
// file in that language; earlier versions stay. The whole upload is one
// transaction: a failure or a file over MaxSize leaves nothing behind.
func (s *Store) AddFile(ctx context.Context, actorID int64, nf NewFile, r io.Reader) (*DocFile, error) {
	f := DocFile{DocumentID: nf.DocumentID, Lang: nf.Lang, Filename: nf.Filename, ContentType: nf.ContentType, CreatedAt: s.now()}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.get(ctx, tx, &f.Version, `SELECT COALESCE(MAX(version), 0) + 1 FROM document_files WHERE document_id = ? AND lang = ?`,
			f.DocumentID, f.Lang); err != nil {
			return fmt.Errorf("add file: %w", err)
		}
		id, err := s.insert(ctx, tx, `INSERT INTO document_files (document_id, lang, version, filename, content_type, size, sha256, uploaded_by, created_at)
			VALUES (?, ?, ?, ?, ?, 0, '', ?, ?)`, f.DocumentID, f.Lang, f.Version, f.Filename, f.ContentType, nullID(actorID), f.CreatedAt)
		if err != nil {
			return fmt.Errorf("add file: %w", err)
		}
		f.ID = id
		if f.Size, f.SHA256, err = s.writeChunks(ctx, tx, `INSERT INTO file_chunks (file_id, seq, data) VALUES (?, ?, ?)`, id, r, nf.MaxSize); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE document_files SET size = ?, sha256 = ? WHERE id = ?`, f.Size, f.SHA256, id); err != nil {
			return fmt.Errorf("add file: %w", err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE documents SET updated_at = ? WHERE id = ?`, f.CreatedAt, f.DocumentID); err != nil {
			return fmt.Errorf("add file: %w", err)
		}
		return s.audit(ctx, tx, AuditEntry{ActorID: actorID, Action: "document.file", TargetType: "document", TargetID: f.DocumentID,
			After: map[string]any{"lang": f.Lang, "version": f.Version, "filename": f.Filename, "size": f.Size}})
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// writeChunks stores the content of r in rows of chunkSize bytes, inserted
// with insertSQL (owner id, seq, data), and returns its size and SHA-256.
// Past maxSize (when positive) it stops with ErrTooLarge, and the caller's
// transaction then keeps nothing.
func (s *Store) writeChunks(ctx context.Context, tx *sqlx.Tx, insertSQL string, id int64, r io.Reader, maxSize int64) (int64, string, error) {
	var size int64
	sum := sha256.New()
	buf := make([]byte, chunkSize)
	for seq := 0; ; seq++ {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			size += int64(n)
			if maxSize > 0 && size > maxSize {
				return 0, "", ErrTooLarge
			}
			sum.Write(buf[:n])
			if _, err := s.exec(ctx, tx, insertSQL, id, seq, buf[:n]); err != nil {
				return 0, "", fmt.Errorf("add file chunk: %w", err)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return 0, "", fmt.Errorf("read upload: %w", rerr)
		}
	}
	return size, hex.EncodeToString(sum.Sum(nil)), nil
}

// SetFileText records the text extracted from a file and refreshes the
// document's search entry with it.
func (s *Store) SetFileText(ctx context.Context, fileID int64, text string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var docID int64
		if err := s.get(ctx, tx, &docID, `SELECT document_id FROM document_files WHERE id = ?`, fileID); err != nil {
			return fmt.Errorf("file text: %w", err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE document_files SET text_content = ? WHERE id = ?`, text, fileID); err != nil {
			return fmt.Errorf("file text: %w", err)
		}
		return s.reindexDocument(ctx, tx, docID)
	})
}

// DocumentFiles lists every version of every language file of a document,
// newest version first within each language (en, es, fr order).
func (s *Store) DocumentFiles(ctx context.Context, docID int64) ([]DocFile, error) {
	var out []DocFile
	if err := s.selectAll(ctx, s.db, &out, `SELECT `+fileColumns+` FROM document_files WHERE document_id = ? ORDER BY lang, version DESC`, docID); err != nil {
		return nil, fmt.Errorf("document files: %w", err)
	}
	return out, nil
}

// FileByID loads one file's description.
func (s *Store) FileByID(ctx context.Context, id int64) (*DocFile, error) {
	var f DocFile
	if err := s.get(ctx, s.db, &f, `SELECT `+fileColumns+` FROM document_files WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	return &f, nil
}

// OpenFile returns a reader over a file's content that fetches one chunk at
// a time; it can seek, so http.ServeContent can answer range requests.
func (s *Store) OpenFile(ctx context.Context, f *DocFile) *FileReader {
	return &FileReader{ctx: ctx, s: s, id: f.ID, size: f.Size, query: `SELECT data FROM file_chunks WHERE file_id = ? AND seq = ?`}
}

// FileReader reads a stored file chunk by chunk: a library file or a post's attachment.
type FileReader struct {
	ctx  context.Context
	s    *Store
	id   int64
	size int64
	// query reads one chunk by owner id and seq.
	query string
	off   int64
	seq   int
	chunk []byte
}

// Read implements io.Reader.
func (r *FileReader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.off)
	r.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// ReadAt implements io.ReaderAt, so text extraction can jump around a PDF.
func (r *FileReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.size {
		return 0, io.EOF
	}
	total := 0
	for total < len(p) && off < r.size {
		seq := int(off / chunkSize)
		if r.chunk == nil || r.seq != seq {
			var data []byte
			if err := r.s.get(r.ctx, r.s.db, &data, r.query, r.id, seq); err != nil {
				return total, fmt.Errorf("read file chunk: %w", err)
			}
			r.chunk, r.seq = data, seq
		}
		n := copy(p[total:], r.chunk[off-int64(seq)*chunkSize:])
		total += n
		off += int64(n)
	}
	if total < len(p) {
		return total, io.EOF
	}
	return total, nil
}

// Seek implements io.Seeker.
func (r *FileReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("seek: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("seek: negative position")
	}
	r.off = offset
	return offset, nil
}
