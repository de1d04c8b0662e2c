package main

import (
	"context"
	"flag"
	"fmt"

	"ideasx/server/buildinfo"
)

// version prints the build, one "key: value" line each, for operators and
// for bug reports.
func version(_ context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	bi := buildinfo.Get()
	fmt.Fprintf(e.stdout, "ideasx %s\ncommit: %s\nbuilt: %s\ngo: %s\n", bi.Version, bi.Commit, bi.Date, bi.GoVersion)
	return nil
}
