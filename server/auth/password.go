// Package auth hashes passwords and makes the random secrets behind sessions,
// API tokens and one-time links.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost settings.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// OWASP's Password Storage Cheat Sheet recommends, for argon2id, at least
// 19 MiB of memory, 2 iterations and 1 degree of parallelism.
var OWASP = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Password rules, shared by the web forms and the command line: NIST SP
// 800-63B asks for length, not composition rules.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// ErrMismatch is returned when a password does not match its hash.
var ErrMismatch = errors.New("password does not match")

// HashPassword returns a PHC-style argon2id string that carries its own
// parameters, so that they can be raised later without breaking old hashes.
func HashPassword(password string) (string, error) {
	return hashWith(password, OWASP)
}

// HashPasswordWith is HashPassword at other costs. Only tests use it: a
// cheap hash for the accounts they make keeps each sign-in from spending
// the race detector's seconds on argon2, while the hash stays one that
// CheckPassword reads from its own parameters.
func HashPasswordWith(password string, p Params) (string, error) {
	return hashWith(password, p)
}

func hashWith(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword compares password with an encoded hash in constant time.
func CheckPassword(encoded, password string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return ErrMismatch
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return ErrMismatch
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return ErrMismatch
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return ErrMismatch
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return ErrMismatch
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// dummyHash is checked against when an account does not exist, so that a
// sign-in for an unknown e-mail costs as much time as one for a known e-mail.
var dummyHash, _ = HashPassword("ideasx-no-such-account")

// WasteTime spends the cost of one password check.
func WasteTime(password string) { _ = CheckPassword(dummyHash, password) }
