package store

import "errors"

// Sentinel errors that callers test with errors.Is. Each engine's own codes
// are translated to these in one place (dialect.translate).
var (
	// ErrNotFound means no row matched.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness rule was broken (e.g. an e-mail in use).
	ErrConflict = errors.New("conflict")
	// ErrExpired means a one-time link was used, expired or never existed.
	ErrExpired = errors.New("link expired or already used")
)
