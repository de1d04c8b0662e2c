package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"ideasx/cmd/ideasx/demo"
	"ideasx/server/auth"
	"ideasx/store"
)

// readPasswordFile takes the first line of path, held to the web's rules.
func readPasswordFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--password-file: %w", err)
	}
	password, _, _ := strings.Cut(string(b), "\n")
	password = strings.TrimRight(password, "\r")
	if n := utf8.RuneCountInString(password); n < auth.MinPasswordLen || n > auth.MaxPasswordLen {
		return "", fmt.Errorf("--password-file %s: the password must have from %d to %d characters", path, auth.MinPasswordLen, auth.MaxPasswordLen)
	}
	return password, nil
}

// generatePassword makes 80 random bits in 16 letters and digits that read
// aloud without confusion.
func generatePassword() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}

// setDemoPasswords gives every demo account password.
func setDemoPasswords(ctx context.Context, st *store.Store, password string) error {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	for _, a := range demo.Accounts() {
		u, err := st.UserByEmail(ctx, a.Email)
		if err != nil {
			return fmt.Errorf("demo account %s: %w", a.Email, err)
		}
		if err := st.SetPassword(ctx, u.ID, hash, ""); err != nil {
			return err
		}
	}
	return nil
}

// printDemoAccounts tells a newcomer whom to sign in as, one account of
// each kind.
func printDemoAccounts(e env, password string, generated bool) {
	fmt.Fprintln(e.stdout, "sign in as any demo account, for example:")
	seen := map[store.Role]bool{}
	for _, a := range demo.Accounts() {
		if !seen[a.Role] {
			seen[a.Role] = true
			fmt.Fprintf(e.stdout, "  %-32s %s, %s (%s)\n", a.Email, a.Name, a.Org, a.Role)
		}
	}
	if generated {
		fmt.Fprintf(e.stdout, "password of every demo account (shown only this once; set another with --password-file):\n%s\n", password)
	} else {
		fmt.Fprintln(e.stdout, "password of every demo account: the one in the --password-file")
	}
}
