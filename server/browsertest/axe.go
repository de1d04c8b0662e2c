package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ideasx/store/storetest"
)

// AxeDir, from the module's root, holds the package.json and lock file that
// pin axe-core's release; scripts/testdeps.sh installs it there with npm ci
// (its node_modules is not committed).
const AxeDir = "server/testdata/axe"

// Axe is axe-core's script, to inject into pages.
type Axe struct{ script string }

// LoadAxe reads axe-core from IDEASX_TEST_AXE (the path of axe.min.js) or
// from AxeDir; it skips the test when there is none, and fails it under CI.
func LoadAxe(t testing.TB) *Axe {
	t.Helper()
	path := os.Getenv("IDEASX_TEST_AXE")
	if path == "" {
		root, err := moduleRoot()
		if err != nil {
			storetest.Unavailable(t, "axe-core", err)
		}
		path = filepath.Join(root, AxeDir, "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		storetest.Unavailable(t, "axe-core (make testdeps installs it with npm)", err)
	}
	return &Axe{script: string(b)}
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Violation is one axe-core rule a page breaks, with where.
type Violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

func (v Violation) String() string {
	return fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
}

// Check runs axe-core's WCAG 2.1 A and AA rules (and its best practices)
// on the page the tab shows, injecting the script when the page lacks it.
func (a *Axe) Check(ctx context.Context) ([]Violation, error) {
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](a.script)); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
	}
	return chromedp.Run(ctx, chromedp.Evaluate[[]Violation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
  r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`, chromedp.EvalAwaitPromise))
}
