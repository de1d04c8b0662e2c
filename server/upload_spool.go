package server

import (
	"errors"
	"io"
	"net/http"
	"os"

	"ideasx/server/files"
)

// spooledFile is an uploaded file copied to a temporary file and checked:
// the library's files and the forum's attachments both arrive this way, so
// that the database transaction that stores one lasts as long as a local
// copy takes, not as long as a slow network.
type spooledFile struct {
	tmp  *os.File
	name string // as the browser sent it; files.SafeFilename makes it safe
	kind files.Kind
	size int64
}

// errUploadTooLarge means a file went over the upload limit.
var errUploadTooLarge = errors.New("upload too large")

// spoolUpload copies one uploaded file (at most limit bytes) to a temporary
// file and decides its type from its content. It returns errUploadTooLarge,
// files.ErrEmpty, an error wrapping files.ErrType, or the reading error;
// on any error nothing is left on disk.
func spoolUpload(part io.Reader, name string, limit int64) (*spooledFile, error) {
	tmp, err := os.CreateTemp("", "ideasx-upload-*")
	if err != nil {
		return nil, err
	}
	f := &spooledFile{tmp: tmp, name: name}
	f.size, err = io.Copy(tmp, io.LimitReader(part, limit+1))
	switch {
	case err != nil:
	case f.size > limit:
		err = errUploadTooLarge
	default:
		f.kind, err = sniffFile(tmp)
	}
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Close removes the temporary copy.
func (f *spooledFile) Close() {
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}

func sniffFile(f *os.File) (files.Kind, error) {
	head := make([]byte, files.SniffLen)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return files.Kind{}, err
	}
	return files.Sniff(head[:n])
}

// uploadProblem words why an upload was refused, with the status to answer:
// 413 for a file (or a request) over the limit, 422 for an empty file or a
// type that is not accepted, 400 for a request that could not be read.
func uploadProblem(err error) (status int, msgID string) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, errUploadTooLarge), errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, "error_file_too_large"
	case errors.Is(err, files.ErrEmpty):
		return http.StatusUnprocessableEntity, "error_file_empty"
	case errors.Is(err, files.ErrType):
		return http.StatusUnprocessableEntity, "error_file_type"
	}
	return http.StatusBadRequest, "error_bad_form"
}
