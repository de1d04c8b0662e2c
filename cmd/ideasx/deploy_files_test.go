package main

// Readers of the shipped deployment files (deploy/, Dockerfile), for the
// checks in deploy_*_test.go. They read only what the checks need, as the
// tools that run the files would (kubectl, docker compose, docker build,
// Caddy, systemd), without those tools: none runs here.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// deployFiles maps a path relative to the repository root to its text, so
// that a test can break a copy of one file and see the checks fail.
type deployFiles map[string]string

// deployPaths are the files the checks read besides everything under deploy/.
var deployPaths = []string{"Dockerfile", "Makefile", "go.mod"}

func loadDeployFiles(t *testing.T) deployFiles {
	t.Helper()
	const root = "../.."
	d := deployFiles{}
	read := func(rel string) {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		d[rel] = string(b)
	}
	for _, p := range deployPaths {
		read(p)
	}
	err := filepath.WalkDir(filepath.Join(root, "deploy"), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		// An operator's own files (deploy/.env, kubernetes/secret.yaml) are git-ignored.
		if strings.HasPrefix(e.Name(), ".") || rel == "deploy/kubernetes/secret.yaml" {
			return nil
		}
		read(filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// under lists the files directly in dir whose name ends with ext.
func (d deployFiles) under(dir, ext string) []string {
	var out []string
	for p := range d {
		if filepath.Dir(p) == dir && strings.HasSuffix(p, ext) {
			out = append(out, p)
		}
	}
	return out
}

// yamlDocs splits a file into its documents ("---"), as kubectl does.
func yamlDocs(text string) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, &n)
	}
}

// portRef is a Kubernetes int-or-string port: a number or a port's name.
type portRef string

func (p *portRef) UnmarshalYAML(n *yaml.Node) error { *p = portRef(n.Value); return nil }

type k8sMeta struct {
	Name        string            `yaml:"name"`
	Namespace   string            `yaml:"namespace"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type k8sSelector struct {
	MatchLabels map[string]string `yaml:"matchLabels"`
}

type k8sProbe struct {
	HTTPGet *struct {
		Path string  `yaml:"path"`
		Port portRef `yaml:"port"`
	} `yaml:"httpGet"`
}

type k8sContainer struct {
	Name  string `yaml:"name"`
	Image string `yaml:"image"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	EnvFrom []struct {
		SecretRef    *struct{ Name string } `yaml:"secretRef"`
		ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
	} `yaml:"envFrom"`
	Lifecycle struct {
		PreStop struct {
			Sleep *struct {
				Seconds int `yaml:"seconds"`
			} `yaml:"sleep"`
		} `yaml:"preStop"`
	} `yaml:"lifecycle"`
	StartupProbe   *k8sProbe `yaml:"startupProbe"`
	LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
	ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
}

// k8sObject holds the fields of every kind the manifests use; each kind
// fills its own.
type k8sObject struct {
	File       string
	Kind       string            `yaml:"kind"`
	Metadata   k8sMeta           `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Spec       struct {
		// Deployment
		Replicas *int        `yaml:"replicas"`
		Selector k8sSelector `yaml:"selector"` // also PodDisruptionBudget
		Template struct {
			Metadata k8sMeta `yaml:"metadata"`
			Spec     struct {
				TerminationGracePeriodSeconds *int `yaml:"terminationGracePeriodSeconds"`
				TopologySpreadConstraints     []struct {
					LabelSelector k8sSelector `yaml:"labelSelector"`
				} `yaml:"topologySpreadConstraints"`
				Containers []k8sContainer `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
		// PodDisruptionBudget
		MinAvailable *portRef `yaml:"minAvailable"`
		// Service (its selector is a plain map, unlike the others')
		Ports []struct {
			Name       string  `yaml:"name"`
			Port       int     `yaml:"port"`
			TargetPort portRef `yaml:"targetPort"`
		} `yaml:"ports"`
		// Ingress
		Rules []struct {
			Host string `yaml:"host"`
			HTTP struct {
				Paths []struct {
					Path     string `yaml:"path"`
					PathType string `yaml:"pathType"`
					Backend  struct {
						Service struct {
							Name string `yaml:"name"`
							Port struct {
								Name   string `yaml:"name"`
								Number int    `yaml:"number"`
							} `yaml:"port"`
						} `yaml:"service"`
					} `yaml:"backend"`
				} `yaml:"paths"`
			} `yaml:"http"`
		} `yaml:"rules"`
	} `yaml:"spec"`
	// ServiceSelector is the Service's spec.selector.
	ServiceSelector map[string]string `yaml:"-"`
}

type kustomization struct {
	Namespace string   `yaml:"namespace"`
	Resources []string `yaml:"resources"`
	Images    []struct {
		Name    string `yaml:"name"`
		NewName string `yaml:"newName"`
		NewTag  string `yaml:"newTag"`
		Digest  string `yaml:"digest"`
	} `yaml:"images"`
}

func decodeK8s(file string, doc *yaml.Node) (k8sObject, error) {
	var o k8sObject
	if err := doc.Decode(&o); err != nil {
		return o, err
	}
	o.File = file
	if o.Kind == "Service" {
		var s struct {
			Spec struct {
				Selector map[string]string `yaml:"selector"`
			} `yaml:"spec"`
		}
		if err := doc.Decode(&s); err != nil {
			return o, err
		}
		o.ServiceSelector = s.Spec.Selector
	}
	return o, nil
}

// composeEnv is a service's environment, written as a map or as KEY=VALUE items.
type composeEnv map[string]string

func (e *composeEnv) UnmarshalYAML(n *yaml.Node) error {
	*e = composeEnv{}
	if n.Kind == yaml.SequenceNode {
		var items []string
		if err := n.Decode(&items); err != nil {
			return err
		}
		for _, kv := range items {
			k, v, _ := strings.Cut(kv, "=")
			(*e)[k] = v
		}
		return nil
	}
	var m map[string]*string
	if err := n.Decode(&m); err != nil {
		return err
	}
	for k, v := range m {
		if v != nil {
			(*e)[k] = *v
		}
	}
	return nil
}

// composeDeps is depends_on, a list of names or a map of name to condition.
type composeDeps map[string]string

func (d *composeDeps) UnmarshalYAML(n *yaml.Node) error {
	*d = composeDeps{}
	if n.Kind == yaml.SequenceNode {
		var names []string
		if err := n.Decode(&names); err != nil {
			return err
		}
		for _, s := range names {
			(*d)[s] = "service_started"
		}
		return nil
	}
	var m map[string]struct {
		Condition string `yaml:"condition"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	for k, v := range m {
		cond := v.Condition
		if cond == "" {
			cond = "service_started"
		}
		(*d)[k] = cond
	}
	return nil
}

// stringOrList is a command, as a string or as a list of words.
type stringOrList []string

func (s *stringOrList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = stringOrList{n.Value}
		return nil
	}
	var l []string
	err := n.Decode(&l)
	*s = l
	return err
}

type composeService struct {
	Image       string      `yaml:"image"`
	Build       any         `yaml:"build"`
	Environment composeEnv  `yaml:"environment"`
	DependsOn   composeDeps `yaml:"depends_on"`
	Healthcheck *struct {
		Test    stringOrList `yaml:"test"`
		Disable bool         `yaml:"disable"`
	} `yaml:"healthcheck"`
	StopGracePeriod string   `yaml:"stop_grace_period"`
	Ports           []any    `yaml:"ports"`
	Volumes         []string `yaml:"volumes"`
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Networks map[string]*struct {
		Ipam struct {
			Config []struct {
				Subnet string `yaml:"subnet"`
			} `yaml:"config"`
		} `yaml:"ipam"`
	} `yaml:"networks"`
}

// interpolate expands ${NAME:-default}, ${NAME-default} and ${NAME} as
// docker compose does with none of the names set in the shell or .env: the
// shipped defaults. It reports the names it met.
func interpolate(s string, names map[string]bool) string {
	s = strings.ReplaceAll(s, "$$", "\x00")
	s = os.Expand(s, func(expr string) string {
		name, def := expr, ""
		for _, sep := range []string{":-", "-", ":?", "?"} {
			if i := strings.Index(expr, sep); i > 0 {
				name, def = expr[:i], expr[i+len(sep):]
				if strings.Contains(sep, "?") {
					def = ""
				}
				break
			}
		}
		names[name] = true
		return def
	})
	return strings.ReplaceAll(s, "\x00", "$")
}

// dockerInstr is one Dockerfile instruction, continuation lines joined.
type dockerInstr struct {
	Stage int // index of its FROM; -1 before the first
	Cmd   string
	Args  string
}

func parseDockerfile(text string) []dockerInstr {
	var out []dockerInstr
	stage := -1
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		cmd = strings.ToUpper(cmd)
		if cmd == "FROM" {
			stage++
		}
		out = append(out, dockerInstr{Stage: stage, Cmd: cmd, Args: strings.TrimSpace(args)})
	}
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") {
			continue // comments (and parser directives) inside a continued instruction too
		}
		if strings.HasSuffix(t, "\\") {
			cur.WriteString(strings.TrimSuffix(t, "\\") + " ")
			continue
		}
		cur.WriteString(t)
		flush()
	}
	flush()
	return out
}

// dockerEnv reads an ENV instruction: KEY=VALUE pairs, or the old KEY VALUE.
func dockerEnv(args string, into map[string]string) {
	if k, v, ok := strings.Cut(args, " "); ok && !strings.Contains(k, "=") {
		into[k] = strings.TrimSpace(v)
		return
	}
	for _, f := range strings.Fields(args) {
		k, v, _ := strings.Cut(f, "=")
		into[k] = strings.Trim(v, `"`)
	}
}

// execForm reads a JSON-array command (HEALTHCHECK CMD, ENTRYPOINT).
func execForm(s string) ([]string, error) {
	var l []string
	err := json.Unmarshal([]byte(strings.TrimSpace(s)), &l)
	return l, err
}

// caddySite is what the checks need of the Caddyfile: the reverse_proxy's
// upstreams and health-check settings, and the matchers answered at once.
type caddySite struct {
	Upstreams      []string
	HealthURI      string
	HealthInterval string
	// Blocked are the paths of named matchers answered by a respond or
	// error directive with a 4xx status.
	Blocked []string
}

func parseCaddyfile(text string) caddySite {
	var c caddySite
	matchers := map[string][]string{}
	inProxy := false
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch {
		case f[0] == "reverse_proxy":
			for _, u := range f[1:] {
				if u == "{" {
					inProxy = true
					break
				}
				c.Upstreams = append(c.Upstreams, u)
			}
		case inProxy && f[0] == "}":
			inProxy = false
		case inProxy && f[0] == "health_uri" && len(f) > 1:
			c.HealthURI = f[1]
		case inProxy && f[0] == "health_interval" && len(f) > 1:
			c.HealthInterval = f[1]
		case strings.HasPrefix(f[0], "@") && len(f) > 2 && f[1] == "path":
			matchers[f[0]] = append(matchers[f[0]], f[2:]...)
		case (f[0] == "respond" || f[0] == "error") && len(f) > 2 && strings.HasPrefix(f[1], "@") && strings.HasPrefix(f[2], "4"):
			c.Blocked = append(c.Blocked, matchers[f[1]]...)
		}
	}
	return c
}

// systemdUnit reads the [Service] settings of a unit file, and the
// KEY=value examples its comments give for /etc/ideasx/env.
type systemdUnit struct {
	Env         map[string]string
	ExecStart   string
	TimeoutStop string
	Examples    map[string]string
}

var envExample = regexp.MustCompile(`\b(IDEASX_[A-Z0-9_]+)=(\S+)`)

func parseSystemd(text string) systemdUnit {
	u := systemdUnit{Env: map[string]string{}, Examples: map[string]string{}}
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") {
			for _, m := range envExample.FindAllStringSubmatch(t, -1) {
				u.Examples[m[1]] = m[2]
			}
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		switch k {
		case "Environment":
			for _, f := range strings.Fields(v) {
				f = strings.Trim(f, `"`)
				name, val, _ := strings.Cut(f, "=")
				u.Env[name] = val
			}
		case "ExecStart":
			u.ExecStart = v
		case "TimeoutStopSec":
			u.TimeoutStop = v
		}
	}
	return u
}

// environ turns variables into os.Environ's KEY=VALUE form.
func environ(vars map[string]string) []string {
	var out []string
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// problems collects what an operator would run into, one sentence each.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) String() string {
	var b bytes.Buffer
	for _, s := range p {
		fmt.Fprintf(&b, "\n  - %s", s)
	}
	return b.String()
}
