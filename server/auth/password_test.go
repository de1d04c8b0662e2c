package auth

import (
	"strings"
	"testing"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("got %q, want OWASP argon2id parameters in the hash", h)
	}
	if err := CheckPassword(h, "correct horse battery staple"); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := CheckPassword(h, "wrong"); err != ErrMismatch {
		t.Errorf("wrong password: got %v, want ErrMismatch", err)
	}
	h2, _ := HashPassword("correct horse battery staple")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt missing")
	}
}

func TestCheckPasswordRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x$c2FsdA$a2V5", "$argon2id$v=19$m=8,t=1,p=1$!!$a2V5"} {
		if err := CheckPassword(h, "x"); err != ErrMismatch {
			t.Errorf("%q: got %v, want ErrMismatch", h, err)
		}
	}
}

func TestNewTokenHashesDiffer(t *testing.T) {
	p1, h1 := NewToken("ixp_")
	p2, h2 := NewToken("ixp_")
	if p1 == p2 || h1 == h2 || !strings.HasPrefix(p1, "ixp_") || HashToken(p1) != h1 {
		t.Errorf("tokens: %q %q %q %q", p1, p2, h1, h2)
	}
}
