package main

import (
	"context"
	"fmt"

	"ideasx/cmd/ideasx/demo"
	"ideasx/server/config"
)

// demoLoad fills the database with example content; a second run adds nothing.
func demoLoad(ctx context.Context, args []string, e env) error {
	cfg, err := config.Parse("demo", args, e.getenv, e.stderr)
	if err != nil {
		return err
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
	fmt.Fprintf(e.stdout, "demo content added: %d categories, %d documents, %d files, %d events, %d people, %d threads\n",
		rep.Categories, rep.Documents, rep.Files, rep.Events, rep.People, rep.Threads)
	return nil
}
