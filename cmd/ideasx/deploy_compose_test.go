package main

import (
	"maps"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"ideasx/server/clientaddr"
	"ideasx/server/config"
)

const composePath = "deploy/compose.yaml"

var composeVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)`)

// dockerPools are the ranges Docker gives compose networks by default
// (172.17-31.0.0/16, then 192.168.0.0/16 in /20s).
var dockerPools = []netip.Prefix{netip.MustParsePrefix("172.17.0.0/16"), netip.MustParsePrefix("172.31.0.0/16"), netip.MustParsePrefix("192.168.0.0/16")}

// checkCompose returns the variables compose.yaml reads from the shell.
func checkCompose(p *problems, d deployFiles, status statusOf) map[string]bool {
	shellVars := map[string]bool{}
	for _, m := range composeVar.FindAllStringSubmatch(d[composePath], -1) {
		shellVars[m[1]] = true
	}
	var cf composeFile
	if err := yaml.Unmarshal([]byte(d[composePath]), &cf); err != nil {
		p.add("%s is not valid YAML, docker compose fails: %v", composePath, err)
		return shellVars
	}
	img := finalImage(d)
	var apps []string
	for name, s := range cf.Services {
		if s.Build != nil {
			apps = append(apps, name)
		}
	}
	slices.Sort(apps)
	if len(apps) == 0 {
		p.add("%s builds no service from the Dockerfile", composePath)
		return shellVars
	}

	cfgs := map[string]*config.Config{}
	for _, name := range apps {
		s := cf.Services[name]
		where := composePath + " service " + name
		vars := maps.Clone(img.Env)
		for k, v := range s.Environment {
			vars[k] = interpolate(v, shellVars)
		}
		cfg := checkSettings(p, where+" (with the image's ENV)", vars)
		cfgs[name] = cfg

		if len(s.Ports) > 0 {
			p.add("%s publishes ports %v: anyone reaching the host gets to the instance through Docker's gateway, an address IDEASX_TRUSTED_PROXIES trusts, and can set any X-Forwarded-For", where, s.Ports)
		}
		for dep, cond := range s.DependsOn {
			ds, ok := cf.Services[dep]
			switch {
			case !ok:
				p.add("%s depends on %s, which is not a service: docker compose up fails", where, dep)
			case ds.Healthcheck == nil || ds.Healthcheck.Disable || len(ds.Healthcheck.Test) == 0:
				p.add("%s depends on %s, which has no healthcheck: the instance starts before %s accepts connections", where, dep, dep)
			case cond != "service_healthy":
				p.add("%s depends on %s with condition %s: the instance starts before %s accepts connections; use service_healthy", where, dep, cond, dep)
			}
		}
		if hc := s.Healthcheck; hc == nil || len(hc.Test) < 2 || hc.Test[0] != "CMD" {
			p.add("%s: healthcheck is not [\"CMD\", \"/ideasx\", \"healthcheck\"]: the distroless image has no shell for CMD-SHELL, so the instance is never healthy", where)
		} else {
			checkContainerCommand(p, where+" healthcheck", hc.Test[1:], img, "the instance is never healthy")
		}
		if cfg != nil {
			grace := 10 * time.Second // docker's default
			if s.StopGracePeriod != "" {
				var err error
				if grace, err = time.ParseDuration(interpolate(s.StopGracePeriod, shellVars)); err != nil {
					p.add("%s: stop_grace_period %q is not a duration: docker compose fails", where, s.StopGracePeriod)
				}
			}
			if need := cfg.ShutdownDelay + cfg.ShutdownTimeout; grace < need {
				p.add("%s: stop_grace_period %s is less than IDEASX_SHUTDOWN_DELAY %s + IDEASX_SHUTDOWN_TIMEOUT %s: docker kills the instance while it still drains requests and websockets", where, grace, cfg.ShutdownDelay, cfg.ShutdownTimeout)
			}
			checkTrustedCompose(p, where, cfg.TrustedProxies, cf)
		}
	}

	checkCaddy(p, d, cf, apps, cfgs, status)
	return shellVars
}

// checkTrustedCompose: the instances believe X-Forwarded-For from Caddy,
// whose address is on the compose network.
func checkTrustedCompose(p *problems, where string, trusted clientaddr.Trusted, cf composeFile) {
	var subnets []netip.Prefix
	for _, n := range cf.Networks {
		if n == nil {
			continue
		}
		for _, c := range n.Ipam.Config {
			if pfx, err := netip.ParsePrefix(c.Subnet); err == nil {
				subnets = append(subnets, pfx)
			}
		}
	}
	if len(subnets) == 0 {
		subnets = dockerPools
	}
	for _, s := range subnets {
		covered := false
		for _, t := range trusted {
			if t.Bits() <= s.Bits() && t.Contains(s.Addr()) {
				covered = true
			}
		}
		if !covered {
			p.add("%s: IDEASX_TRUSTED_PROXIES %q does not cover %s, where Caddy's address may be: every user shares Caddy's address for rate limits, and one person's wrong passwords lock out everyone", where, trusted.String(), s)
		}
	}
}

func checkCaddy(p *problems, d deployFiles, cf composeFile, apps []string, cfgs map[string]*config.Config, status statusOf) {
	const cfile = "deploy/Caddyfile"
	mounted := false
	for _, s := range cf.Services {
		for _, v := range s.Volumes {
			if strings.HasPrefix(v, "./Caddyfile:") {
				mounted = true
			}
		}
	}
	if !mounted {
		p.add("%s mounts no ./Caddyfile into a service: the proxy runs with Caddy's default configuration", composePath)
	}
	site := parseCaddyfile(d[cfile])
	var want []string
	for _, name := range apps {
		if cfg := cfgs[name]; cfg != nil {
			if _, port, err := net.SplitHostPort(cfg.Addr); err == nil {
				want = append(want, name+":"+port)
			}
		}
	}
	got := slices.Sorted(slices.Values(site.Upstreams))
	// An instance whose settings fail was reported already; its port is unknown.
	if len(want) == len(apps) && !slices.Equal(got, want) {
		p.add("%s: reverse_proxy sends to %v, but compose runs the instances at %v (service:IDEASX_ADDR port): Caddy answers 502, or leaves an instance idle", cfile, got, want)
	}
	if site.HealthURI != "/readyz" {
		p.add("%s: health_uri is %q, want /readyz: Caddy would keep sending requests to an instance without its database, or that is shutting down", cfile, site.HealthURI)
	} else if code := status(site.HealthURI); code != 200 {
		p.add("%s: health_uri %s is answered %d by ideasx: Caddy takes every instance out", cfile, site.HealthURI, code)
	}
	if interval, err := time.ParseDuration(site.HealthInterval); err != nil {
		p.add("%s: health_interval %q is not a duration: Caddy does not start", cfile, site.HealthInterval)
	} else {
		for _, name := range apps {
			if cfg := cfgs[name]; cfg != nil && cfg.ShutdownDelay <= interval {
				p.add("%s: IDEASX_SHUTDOWN_DELAY %s of %s is not longer than Caddy's health_interval %s: on docker compose stop, Caddy may not have seen /readyz fail before the instance closes its connections, and requests fail with 502", cfile, cfg.ShutdownDelay, name, interval)
			}
		}
	}
	if !slices.Contains(site.Blocked, "/metrics") {
		p.add("%s does not refuse /metrics: anyone reaching the site reads the instances' metrics", cfile)
	}
}
