package main

import (
	"context"
	"fmt"
	"time"

	"ideasx/cmd/ideasx/demo"
	"ideasx/server/config"
)

// demoLoad fills the database with example content; a second run adds nothing.
func demoLoad(ctx context.Context, args []string, e env) error {
	p := config.NewParser("demo", e.getenv, e.stderr)
	scale := p.FlagSet().Int("scale", 0, "also generate this many synthetic challenge threads of about 10 posts each, for benchmarks")
	passwordFile := p.FlagSet().String("password-file", "", "file whose first line becomes the password of every demo account; "+
		"without it, new demo accounts get a generated password, printed once")
	cfg, err := p.Parse(args)
	if err != nil {
		return err
	}
	if *scale < 0 || *scale > 10_000_000 {
		return fmt.Errorf("--scale must be from 0 to 10000000")
	}
	var password string
	if *passwordFile != "" {
		if password, err = readPasswordFile(*passwordFile); err != nil {
			return err
		}
	}
	st, err := openStore(ctx, cfg, newLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := demo.Load(ctx, st)
	if err != nil {
		return err
	}
	if *scale > 0 {
		start := time.Now()
		if err := demo.Synthetic(ctx, st, *scale); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "synthetic threads added: %d threads, %d posts in %s\n", *scale, *scale*10, time.Since(start).Round(time.Second))
	}
	fmt.Fprintf(e.stdout, "demo content added: %d categories, %d documents, %d files, %d events, %d programme sessions, %d people, %d threads\n",
		rep.Categories, rep.Documents, rep.Files, rep.Events, rep.Sessions, rep.People, rep.Threads)
	// A rerun without --password-file leaves the passwords alone: whoever
	// noted the printed one can still sign in with it.
	if password == "" && rep.People == 0 {
		return nil
	}
	generated := password == ""
	if generated {
		password = generatePassword()
	}
	if err := setDemoPasswords(ctx, st, password); err != nil {
		return err
	}
	printDemoAccounts(e, password, generated)
	return nil
}
