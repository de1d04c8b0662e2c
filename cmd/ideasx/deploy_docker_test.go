package main

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	goversion "go/version"
	"os"
	"regexp"
	"slices"
	"strings"
)

// image is what the Dockerfile's final stage gives a container.
type image struct {
	Env        map[string]string
	Entrypoint []string
	// Copied are the paths the final stage copies files to.
	Copied []string
}

func finalImage(d deployFiles) image {
	ins := parseDockerfile(d["Dockerfile"])
	last := 0
	for _, in := range ins {
		last = max(last, in.Stage)
	}
	img := image{Env: map[string]string{}}
	for _, in := range ins {
		if in.Stage != last {
			continue
		}
		switch in.Cmd {
		case "ENV":
			dockerEnv(in.Args, img.Env)
		case "ENTRYPOINT":
			img.Entrypoint, _ = execForm(in.Args)
		case "COPY":
			if f := strings.Fields(in.Args); len(f) > 0 {
				img.Copied = append(img.Copied, f[len(f)-1])
			}
		}
	}
	return img
}

// isCommand says whether `ideasx name` is a command of this binary.
func isCommand(name string) bool {
	var out bytes.Buffer
	code := run(context.Background(), []string{name, "--help"}, env{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
		getenv: func(string) string { return "" }})
	return code == 0
}

// checkContainerCommand: a command line the image runs (HEALTHCHECK,
// compose's healthcheck, ExecStart) starts the binary the image holds and
// names one of its commands.
func checkContainerCommand(p *problems, where string, argv []string, img image, consequence string) {
	if len(argv) < 2 {
		p.add("%s: %q is not `/ideasx COMMAND`: %s", where, argv, consequence)
		return
	}
	if len(img.Entrypoint) == 0 || argv[0] != img.Entrypoint[0] || !slices.Contains(img.Copied, argv[0]) {
		p.add("%s runs %s, but the image's binary is %v (ENTRYPOINT): %s", where, argv[0], img.Entrypoint, consequence)
	}
	if !isCommand(argv[1]) {
		p.add("%s runs `ideasx %s`, which is not an ideasx command (see ideasx --help): %s", where, argv[1], consequence)
	}
}

var (
	ldflagX   = regexp.MustCompile(`-X\s+([\w./-]+)\.(\w+)=\$\{?(\w+)\}?`)
	imageRef  = regexp.MustCompile(`^((?:[^\s:@/]+(?::\d+)?/)?[^\s:@]+)(?::([\w][\w.-]*))?(?:@(sha256:[0-9a-f]+))?$`)
	sha256Hex = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

func checkDockerfile(p *problems, d deployFiles) {
	const df = "Dockerfile"
	ins := parseDockerfile(d[df])
	img := finalImage(d)

	// The healthcheck the distroless image can run: the binary itself.
	var health []string
	for _, in := range ins {
		if in.Cmd == "HEALTHCHECK" {
			_, cmd, ok := strings.Cut(in.Args, "CMD ")
			argv, err := execForm(cmd)
			if !ok || err != nil {
				p.add("%s: HEALTHCHECK %q is not CMD [\"/ideasx\", \"healthcheck\"] (exec form): the image has no shell to run anything else, so the container would never be healthy", df, in.Args)
				continue
			}
			health = argv
		}
	}
	if health == nil {
		p.add("%s has no HEALTHCHECK: docker and compose would not see an instance that cannot serve", df)
	} else {
		checkContainerCommand(p, df+" HEALTHCHECK", health, img, "the container would never be healthy, and compose would not start what waits for it")
	}

	// Version stamping: each -X names a variable of the package and a build
	// argument the stage declares, which `make docker` passes.
	args := map[string]bool{}
	stamped := map[string]bool{}
	vars := buildinfoVars()
	for _, in := range ins {
		switch in.Cmd {
		case "ARG":
			name, _, _ := strings.Cut(in.Args, "=")
			args[name] = true
		case "RUN":
			for _, m := range ldflagX.FindAllStringSubmatch(in.Args, -1) {
				if m[1] != "ideasx/server/buildinfo" || !vars[m[2]] {
					p.add("%s: -X %s.%s names no variable of ideasx/server/buildinfo: the linker ignores it, and `ideasx version` says \"dev\"", df, m[1], m[2])
				}
				if !args[m[3]] {
					p.add("%s: the ldflags use ${%s}, which no ARG declares before them: the image's version stays empty", df, m[3])
				}
				stamped[m[2]] = true
				if !strings.Contains(d["Makefile"], "--build-arg "+m[3]+"=") {
					p.add("Makefile: `make docker` does not pass --build-arg %s=: images built with it report no %s", m[3], m[2])
				}
			}
		}
	}
	for v := range vars {
		if !stamped[v] {
			p.add("%s: the go build does not stamp buildinfo.%s (-ldflags -X): `ideasx version`, /healthz and ideasx_build_info lack it for images", df, v)
		}
	}

	// Base images: a tag, never latest; a digest, when given, whole.
	global := map[string]string{}
	for _, in := range ins {
		if in.Stage == -1 && in.Cmd == "ARG" {
			k, v, _ := strings.Cut(in.Args, "=")
			global[k] = strings.Trim(v, `"`)
		}
	}
	stages := map[string]bool{}
	for _, in := range ins {
		if in.Cmd != "FROM" {
			continue
		}
		f := strings.Fields(os.Expand(in.Args, func(k string) string { return global[k] }))
		var ref string
		for _, w := range f {
			if !strings.HasPrefix(w, "--") {
				ref = w
				break
			}
		}
		m := imageRef.FindStringSubmatch(ref)
		switch {
		case stages[ref]:
		case m == nil:
			p.add("%s: FROM %s is not an image reference: docker build fails", df, ref)
		case m[2] == "" || m[2] == "latest":
			p.add("%s: FROM %s names no version tag: each build may take a different base image, and a rebuild of an old release is not that release", df, ref)
		case m[3] != "" && !sha256Hex.MatchString(m[3]):
			p.add("%s: FROM %s has a malformed digest (sha256: and 64 hex digits): docker build fails", df, ref)
		}
		// Later stages may start FROM this one, which has no tag.
		if len(f) >= 3 && strings.EqualFold(f[len(f)-2], "AS") {
			stages[f[len(f)-1]] = true
		}
	}

	// The build stage's Go is at least go.mod's toolchain line (the
	// Dockerfile says why).
	goVersion := global["GO_VERSION"]
	for _, line := range strings.Split(d["go.mod"], "\n") {
		if tc, ok := strings.CutPrefix(strings.TrimSpace(line), "toolchain "); ok && goVersion != "" {
			if goversion.Compare("go"+goVersion, tc) < 0 {
				p.add("%s: ARG GO_VERSION=%s is older than go.mod's toolchain %s: images build with the older standard library (or download %s at every build)", df, goVersion, tc, tc)
			}
		}
	}
}

// buildinfoVars are the package-level string variables of server/buildinfo,
// the ones -ldflags -X can set.
func buildinfoVars() map[string]bool {
	const dir = "../../server/buildinfo/"
	out := map[string]bool{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), dir+e.Name(), nil, 0)
		if err != nil {
			continue
		}
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "string" {
					for _, n := range vs.Names {
						out[n.Name] = true
					}
				}
			}
		}
	}
	return out
}
