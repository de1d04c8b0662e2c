package main

// The shipped deployment files (deploy/, Dockerfile) cannot be run here (no
// container runtime, no cluster), so these tests check what can be checked
// without running them: the settings they give against the binary's own
// parsers, the paths and commands they name against the binary, and the
// manifests, compose file and Caddyfile against each other. Each problem
// says what an operator would run into.

import (
	"net/http"
	"path"
	"strings"
	"testing"
	"time"

	"ideasx/server/servertest"
	"ideasx/store/storetest"
)

func checkSystemd(p *problems, d deployFiles) {
	for _, f := range d.under("deploy/systemd", ".service") {
		u := parseSystemd(d[f])
		cfg := checkSettings(p, f+" (Environment=)", u.Env)
		for k, v := range u.Examples {
			checkSettings(p, f+" (the example in its comments)", map[string]string{k: v})
		}
		argv := strings.Fields(u.ExecStart)
		if len(argv) < 2 || path.Base(argv[0]) != "ideasx" || !isCommand(argv[1]) {
			p.add("%s: ExecStart %q is not `ideasx COMMAND`: the service does not start", f, u.ExecStart)
		}
		if cfg == nil {
			continue
		}
		stop := 90 * time.Second // systemd's DefaultTimeoutStopSec
		if u.TimeoutStop != "" {
			var err error
			if stop, err = systemdSpan(u.TimeoutStop); err != nil {
				p.add("%s: TimeoutStopSec=%s: %v", f, u.TimeoutStop, err)
			}
		}
		if need := cfg.ShutdownDelay + cfg.ShutdownTimeout; stop < need {
			p.add("%s: TimeoutStopSec %s is less than IDEASX_SHUTDOWN_DELAY %s + IDEASX_SHUTDOWN_TIMEOUT %s: systemd kills the server while it still drains", f, stop, cfg.ShutdownDelay, cfg.ShutdownTimeout)
		}
	}
}

// systemdSpan reads a systemd time span such as 35s, 1min 30s or 90.
func systemdSpan(s string) (time.Duration, error) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "min", "m"), " ", "")
	if !strings.ContainsAny(s, "hmsu") {
		s += "s"
	}
	return time.ParseDuration(s)
}

// checkDeployment runs every check over d.
func checkDeployment(d deployFiles, status statusOf) problems {
	var p problems
	checkDockerfile(&p, d)
	shellVars := checkCompose(&p, d, status)
	checkKubernetes(&p, d, status)
	checkSystemd(&p, d)
	checkNamesMentioned(&p, d, shellVars)
	return p
}

// serverStatus starts ideasx once and answers, for a path, its status.
func serverStatus(t *testing.T) statusOf {
	app := servertest.New(t, storetest.SQLite, nil)
	seen := map[string]int{}
	return func(p string) int {
		if code, ok := seen[p]; ok {
			return code
		}
		resp, err := http.Get(app.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		seen[p] = resp.StatusCode
		return resp.StatusCode
	}
}

func TestShippedDeploymentFilesAgreeWithTheBinary(t *testing.T) {
	if p := checkDeployment(loadDeployFiles(t), serverStatus(t)); len(p) > 0 {
		t.Errorf("the shipped deployment files have problems:%s", p)
	}
}

// TestDeploymentChecksCatchBreakage breaks one thing in a copy of the
// shipped files and wants the checks to say so.
func TestDeploymentChecksCatchBreakage(t *testing.T) {
	shipped := loadDeployFiles(t)
	status := serverStatus(t)
	const (
		compose = "deploy/compose.yaml"
		dep     = "deploy/kubernetes/deployment.yaml"
		caddy   = "deploy/Caddyfile"
	)
	for _, tc := range []struct {
		name, file, old, new, want string
	}{
		{"typo in a compose setting", compose, "IDEASX_REDIS_URL:", "IDEASX_REDIS_ULR:", "IDEASX_REDIS_ULR, which ideasx does not read"},
		{"bad duration in compose", compose, "IDEASX_SHUTDOWN_TIMEOUT: 25s", "IDEASX_SHUTDOWN_TIMEOUT: 25", "would refuse to start: IDEASX_SHUTDOWN_TIMEOUT"},
		{"bad proxy range in the ConfigMap", "deploy/kubernetes/configmap.yaml", `"10.0.0.0/8"`, `"10.0.0.0/33"`, "IDEASX_TRUSTED_PROXIES (--trusted-proxies)"},
		{"bad Redis URL in the Secret", "deploy/kubernetes/secret.example.yaml", "redis://:CHANGE-ME@", "http://:CHANGE-ME@", "IDEASX_REDIS_URL"},
		{"unknown setting in the Dockerfile", "Dockerfile", "IDEASX_DATA_DIR=/data", "IDEASX_DATADIR=/data", "did you mean IDEASX_DATA_DIR?"},
		{"bad address in the systemd unit", "deploy/systemd/ideasx.service", "IDEASX_ADDR=:8080", "IDEASX_ADDR=8080", "IDEASX_ADDR (--addr)"},
		{"systemd stops before the drain ends", "deploy/systemd/ideasx.service", "TimeoutStopSec=35s", "TimeoutStopSec=20s", "TimeoutStopSec 20s is less than"},
		{"systemd comment gives a bad example", "deploy/systemd/ideasx.service", "IDEASX_TRUSTED_PROXIES=127.0.0.1,::1", "IDEASX_TRUSTED_PROXIES=localhost", "(the example in its comments): ideasx serve would refuse to start"},
		{"a setting named in the README does not exist", "deploy/README.md", "`IDEASX_METRICS_TOKEN` | empty", "`IDEASX_METRICS_SECRET` | empty", "names IDEASX_METRICS_SECRET"},

		{"probe on an unrouted path", dep, "path: /readyz", "path: /ready", "readinessProbe GETs /ready, which ideasx answers 404"},
		{"readiness on /healthz", dep, "path: /readyz", "path: /healthz", "readinessProbe GETs /healthz, want /readyz: only /readyz fails without the database"},
		{"Deployment reads another Secret", dep, "- secretRef:\n                name: ideasx", "- secretRef:\n                name: ideasx-env", `envFrom names Secret "ideasx-env"`},
		{"liveness on /readyz", dep, "path: /healthz\n              port: http\n            periodSeconds: 10", "path: /readyz\n              port: http\n            periodSeconds: 10", "livenessProbe GETs /readyz, want /healthz"},
		{"probe on another port", dep, "path: /healthz\n              port: http", "path: /healthz\n              port: web", `startupProbe port "web"`},
		{"container port renamed", dep, "- name: http\n              containerPort", "- name: web\n              containerPort", `targetPort "http" is not a port of the container`},
		{"Ingress to a port the Service lacks", "deploy/kubernetes/service.yaml", "- name: http", "- name: web", "which is not the Service ideasx's ports"},
		{"grace period too short", dep, "terminationGracePeriodSeconds: 40", "terminationGracePeriodSeconds: 29", "terminationGracePeriodSeconds 29 is less than preStop sleep 5s"},
		{"longer drain than the grace period", dep, "value: 25s", "value: 40s", "IDEASX_SHUTDOWN_TIMEOUT 40s"},
		{"PDB selects other pods", "deploy/kubernetes/pdb.yaml", "    matchLabels:\n      app.kubernetes.io/name: ideasx", "    matchLabels:\n      app.kubernetes.io/name: ideas", "a node drain may evict every instance"},
		{"image tag latest", "deploy/kubernetes/kustomization.yaml", "newTag: v1.0.0", "newTag: latest", "never latest"},
		{"image renamed away from kustomize", dep, "image: ideasx", "image: ideasx-app", "pods pull ideasx-app:latest"},
		{"/metrics routed through the Ingress", "deploy/kubernetes/ingress.yaml", `whitelist-source-range: "127.0.0.1/32"`, `whitelist-source-range: "0.0.0.0/0"`, "/metrics reaches the pods"},
		{"Ingress body limit under the upload limit", "deploy/kubernetes/ingress.yaml", `proxy-body-size: "64m"`, `proxy-body-size: "10m"`, "less than IDEASX_MAX_UPLOAD_MB 25"},
		{"kustomize namespace is not the one created", "deploy/kubernetes/kustomization.yaml", "namespace: ideasx", "namespace: ideas", `the pods run in "ideas" without it`},
		{"manifest left out of kustomize", "deploy/kubernetes/kustomization.yaml", "  - pdb.yaml\n", "", "does not list pdb.yaml"},

		{"dependency without healthcheck", compose, "      test: [\"CMD\", \"redis-cli\", \"ping\"]\n", "      disable: true\n", "depends on redis, which has no healthcheck"},
		{"dependency that is not a service", compose, "    redis:\n      condition", "    valkey:\n      condition", "depends on valkey, which is not a service"},
		{"stop grace too short", compose, "stop_grace_period: 35s", "stop_grace_period: 20s", "stop_grace_period 20s is less than"},
		{"trusted proxies miss Docker's pools", compose, "172.16.0.0/12,192.168.0.0/16,10.0.0.0/8", "10.0.0.0/8", "does not cover 172.17.0.0/16"},
		{"compose healthcheck runs no command", compose, `"/ideasx", "healthcheck"`, `"/ideasx", "health"`, "`ideasx health`, which is not an ideasx command"},
		{"Caddy sends to a port nobody listens on", caddy, "reverse_proxy app1:8080 app2:8080", "reverse_proxy app1:80 app2:8080", "Caddy answers 502"},
		{"shutdown delay under Caddy's check interval", caddy, "health_interval 2s", "health_interval 5s", "not longer than Caddy's health_interval 5s"},
		{"Caddy serves /metrics", caddy, "respond @metrics 404", "respond @metrics 200", "does not refuse /metrics"},

		{"HEALTHCHECK runs another binary", "Dockerfile", `CMD ["/ideasx", "healthcheck"]`, `CMD ["/bin/ideasx", "healthcheck"]`, "HEALTHCHECK runs /bin/ideasx"},
		{"version not stamped", "Dockerfile", " -X ideasx/server/buildinfo.commit=${COMMIT}", "", "does not stamp buildinfo.commit"},
		{"stamping a variable that is not there", "Dockerfile", "buildinfo.date=", "buildinfo.built=", "names no variable"},
		{"make docker forgets an argument", "Makefile", "--build-arg BUILD_DATE=", "--build-arg DATE=", "does not pass --build-arg BUILD_DATE="},
		{"base image without a tag", "Dockerfile", "static-debian12:nonroot", "static-debian12", "names no version tag"},
		{"base image with a cut digest", "Dockerfile", "static-debian12:nonroot", "static-debian12:nonroot@sha256:abc", "malformed digest"},
		{"Go older than the toolchain", "Dockerfile", "ARG GO_VERSION=1.26.11", "ARG GO_VERSION=1.26.8", "older than go.mod's toolchain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := deployFiles{}
			for k, v := range shipped {
				d[k] = v
			}
			if !strings.Contains(d[tc.file], tc.old) {
				t.Fatalf("%s no longer contains %q: update this case", tc.file, tc.old)
			}
			d[tc.file] = strings.Replace(d[tc.file], tc.old, tc.new, 1)
			p := checkDeployment(d, status)
			for _, s := range p {
				if strings.Contains(s, tc.want) {
					return
				}
			}
			t.Errorf("no problem says %q; got:%s", tc.want, p)
		})
	}
}
