// Command ideasx runs the Ideas Exchange platform and administers it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// The container image has no time zone files; events are kept in Geneva time.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}
