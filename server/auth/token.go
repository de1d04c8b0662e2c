package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// APITokenPrefix marks personal API tokens, so that secret scanners spot a leaked one.
const APITokenPrefix = "ixp_"

// NewToken returns a random URL-safe secret with the given prefix and the
// hash under which it is stored. Prefixes ("ixp_" for API tokens) let secret
// scanners recognise a leaked token.
func NewToken(prefix string) (plain, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand never fails on supported platforms; a broken one must stop everything.
		panic("auth: crypto/rand failed: " + err.Error())
	}
	plain = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return plain, HashToken(plain)
}

// HashToken is the stored form of a token: SHA-256 is enough for 256 random
// bits, and lets the lookup be a plain index hit.
func HashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}
