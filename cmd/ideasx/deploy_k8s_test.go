package main

import (
	"maps"
	"net"
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// statusOf answers the status a path gets from a running ideasx.
type statusOf func(path string) int

const k8sDir = "deploy/kubernetes"

func checkKubernetes(p *problems, d deployFiles, status statusOf) {
	var objs []k8sObject
	var kust kustomization
	files := d.under(k8sDir, ".yaml")
	slices.Sort(files)
	for _, f := range files {
		docs, err := yamlDocs(d[f])
		if err != nil {
			p.add("%s is not valid YAML, kubectl apply fails: %v", f, err)
			continue
		}
		for _, doc := range docs {
			if path.Base(f) == "kustomization.yaml" {
				if err := doc.Decode(&kust); err != nil {
					p.add("%s: %v", f, err)
				}
				continue
			}
			o, err := decodeK8s(f, doc)
			if err != nil {
				p.add("%s: kubectl apply fails: %v", f, err)
				continue
			}
			objs = append(objs, o)
		}
	}
	byKind := func(kind string) []k8sObject {
		var out []k8sObject
		for _, o := range objs {
			if o.Kind == kind {
				out = append(out, o)
			}
		}
		return out
	}
	one := func(kind string) (k8sObject, bool) {
		l := byKind(kind)
		if len(l) != 1 {
			p.add("%s holds %d %s objects, want one", k8sDir, len(l), kind)
			return k8sObject{}, false
		}
		return l[0], true
	}

	checkKustomization(p, d, kust, files, byKind("Namespace"), byKind("Secret"))

	dep, ok := one("Deployment")
	if !ok || len(dep.Spec.Template.Spec.Containers) == 0 {
		return
	}
	pod := dep.Spec.Template.Metadata.Labels
	c := dep.Spec.Template.Spec.Containers[0]
	if !selects(dep.Spec.Selector.MatchLabels, pod) {
		p.add("%s: the Deployment's selector %v does not match its pod labels %v: kubectl apply is refused", dep.File, dep.Spec.Selector.MatchLabels, pod)
	}

	// The settings each pod gets: the image's ENV, then envFrom in order,
	// then env, each winning over the earlier.
	vars := maps.Clone(finalImage(d).Env)
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			if cm := named(byKind("ConfigMap"), from.ConfigMapRef.Name); cm != nil {
				maps.Copy(vars, cm.Data)
			} else {
				p.add("%s: envFrom names ConfigMap %q, which no manifest defines: pods stay in CreateContainerConfigError", dep.File, from.ConfigMapRef.Name)
			}
		case from.SecretRef != nil:
			if s := named(byKind("Secret"), from.SecretRef.Name); s != nil {
				maps.Copy(vars, s.StringData)
			} else {
				p.add("%s: envFrom names Secret %q, but secret.example.yaml shows another: pods stay in CreateContainerConfigError", dep.File, from.SecretRef.Name)
			}
		}
	}
	for _, e := range c.Env {
		vars[e.Name] = e.Value
	}
	cfg := checkSettings(p, "Kubernetes pods (configmap.yaml, secret.example.yaml, deployment.yaml and the image's ENV)", vars)

	// Ports: the server's, the container's, the probes', the Service's and the Ingress's agree.
	portNames := map[string]bool{}
	var portNumbers []int
	for _, cp := range c.Ports {
		portNames[cp.Name] = true
		portNames[strconv.Itoa(cp.ContainerPort)] = true
		portNumbers = append(portNumbers, cp.ContainerPort)
	}
	if cfg != nil {
		if _, port, err := net.SplitHostPort(cfg.Addr); err == nil {
			if n, _ := strconv.Atoi(port); !slices.Contains(portNumbers, n) {
				p.add("%s: the server listens on %s (IDEASX_ADDR) but the container declares ports %v: probes and the Service reach nothing, pods never become ready", dep.File, cfg.Addr, portNumbers)
			}
		}
	}
	if port := dep.Spec.Template.Metadata.Annotations["prometheus.io/port"]; port != "" && !portNames[port] {
		p.add("%s: prometheus.io/port %s is not the container's port %v: Prometheus scrapes nothing", dep.File, port, portNumbers)
	}
	probes := []struct {
		name, want, why string
		probe           *k8sProbe
	}{
		{"startupProbe", "", "", c.StartupProbe},
		{"livenessProbe", "/healthz", "a liveness probe on /readyz restarts every pod at once while the database is away", c.LivenessProbe},
		{"readinessProbe", "/readyz", "only /readyz fails without the database, so another path keeps such a pod in the Service", c.ReadinessProbe},
	}
	for _, pr := range probes {
		if pr.probe == nil || pr.probe.HTTPGet == nil {
			p.add("%s: the container has no %s with httpGet", dep.File, pr.name)
			continue
		}
		g := pr.probe.HTTPGet
		if !portNames[string(g.Port)] {
			p.add("%s: %s port %q is not a port of the container: the probe always fails and the pod never serves", dep.File, pr.name, g.Port)
		}
		if code := status(g.Path); code != 200 {
			p.add("%s: %s GETs %s, which ideasx answers %d: the probe always fails and the pod never serves (or is restarted)", dep.File, pr.name, g.Path, code)
		}
		if pr.want != "" && g.Path != pr.want {
			p.add("%s: %s GETs %s, want %s: %s", dep.File, pr.name, g.Path, pr.want, pr.why)
		}
	}

	// Shutdown: the kubelet kills at the end of the grace period, which
	// counts from the start of preStop.
	grace := 30
	if g := dep.Spec.Template.Spec.TerminationGracePeriodSeconds; g != nil {
		grace = *g
	}
	sleep := 0
	if s := c.Lifecycle.PreStop.Sleep; s != nil {
		sleep = s.Seconds
	}
	if cfg != nil {
		need := time.Duration(sleep)*time.Second + cfg.ShutdownDelay + cfg.ShutdownTimeout
		if time.Duration(grace)*time.Second < need {
			p.add("%s: terminationGracePeriodSeconds %d is less than preStop sleep %ds + IDEASX_SHUTDOWN_DELAY %s + IDEASX_SHUTDOWN_TIMEOUT %s = %s: the kubelet kills pods while they still drain requests and websockets", dep.File, grace, sleep, cfg.ShutdownDelay, cfg.ShutdownTimeout, need)
		}
	}

	for _, tsc := range dep.Spec.Template.Spec.TopologySpreadConstraints {
		if !selects(tsc.LabelSelector.MatchLabels, pod) {
			p.add("%s: a topologySpreadConstraint selects %v, not the pods %v: replicas may all land on one node", dep.File, tsc.LabelSelector.MatchLabels, pod)
		}
	}

	checkImage(p, dep.File, c.Image, kust)

	svc, ok := one("Service")
	if ok {
		if !selects(svc.ServiceSelector, pod) {
			p.add("%s: the Service selects %v, not the pods %v: it has no endpoints, the site answers 503", svc.File, svc.ServiceSelector, pod)
		}
		for _, sp := range svc.Spec.Ports {
			if !portNames[string(sp.TargetPort)] {
				p.add("%s: targetPort %q is not a port of the container %v: the Service sends traffic nowhere", svc.File, sp.TargetPort, portNumbers)
			}
		}
	}
	checkIngresses(p, byKind("Ingress"), svc, vars)
	if cfg != nil {
		checkBodySize(p, byKind("Ingress"), cfg.MaxUploadMB)
	}

	if pdb, ok := one("PodDisruptionBudget"); ok {
		if !selects(pdb.Spec.Selector.MatchLabels, pod) {
			p.add("%s: the PodDisruptionBudget selects %v, not the pods %v: a node drain may evict every instance at once", pdb.File, pdb.Spec.Selector.MatchLabels, pod)
		}
		if m := pdb.Spec.MinAvailable; m != nil && dep.Spec.Replicas != nil {
			if n, err := strconv.Atoi(string(*m)); err == nil && n >= *dep.Spec.Replicas {
				p.add("%s: minAvailable %d with %d replicas: no pod may ever be evicted, kubectl drain waits forever", pdb.File, n, *dep.Spec.Replicas)
			}
		}
	}
}

// selects: a selector matches labels when every pair it names is there (and it names some).
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func named(objs []k8sObject, name string) *k8sObject {
	for i := range objs {
		if objs[i].Metadata.Name == name {
			return &objs[i]
		}
	}
	return nil
}

func checkKustomization(p *problems, d deployFiles, kust kustomization, files []string, namespaces, secrets []k8sObject) {
	const kf = k8sDir + "/kustomization.yaml"
	listed := map[string]bool{}
	for _, r := range kust.Resources {
		listed[r] = true
		if _, ok := d[k8sDir+"/"+r]; !ok {
			p.add("%s lists %s, which does not exist: kubectl apply -k fails", kf, r)
		}
	}
	for _, f := range files {
		base := path.Base(f)
		if base == "kustomization.yaml" || strings.HasSuffix(base, ".example.yaml") {
			continue
		}
		if !listed[base] {
			p.add("%s does not list %s: kubectl apply -k would not create its objects", kf, base)
		}
	}
	for _, ns := range namespaces {
		if ns.Metadata.Name != kust.Namespace {
			// kustomize renames the Namespace object itself, but the
			// README's steps apply namespace.yaml alone and create the
			// Secret in it first.
			p.add("%s: namespace %q, but namespace.yaml names %q, where the README's steps create the Secret: the pods run in %q without it (CreateContainerConfigError)", kf, kust.Namespace, ns.Metadata.Name, kust.Namespace)
		}
	}
	for _, s := range secrets {
		if s.Metadata.Namespace != "" && s.Metadata.Namespace != kust.Namespace {
			p.add("%s puts the Secret in %q, the app runs in %q: the pods do not find it (CreateContainerConfigError)", s.File, s.Metadata.Namespace, kust.Namespace)
		}
	}
}

// checkImage: the tag a pod runs is a version, set where kustomize applies it.
func checkImage(p *problems, file, image string, kust kustomization) {
	name, tag := image, ""
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		name, tag = image[:i], image[i+1:]
	}
	if tag == "latest" {
		p.add("%s: image %s: with latest, which build a pod runs depends on when its node last pulled, and a rollback has nothing to go back to", file, image)
	}
	for _, im := range kust.Images {
		if im.Name != name {
			continue
		}
		if im.Digest == "" && (im.NewTag == "" || im.NewTag == "latest") {
			p.add("%s/kustomization.yaml: image %s gets tag %q: name a version (newTag), never latest", k8sDir, name, im.NewTag)
		}
		return
	}
	if tag == "" {
		p.add("%s: image %s has no tag and kustomization.yaml's images: does not name it: pods pull %s:latest", file, image, image)
	}
}

// checkIngresses: backends are the Service's ports, and /metrics does not
// reach the pods from outside.
func checkIngresses(p *problems, ings []k8sObject, svc k8sObject, vars map[string]string) {
	svcPorts := map[string]bool{}
	for _, sp := range svc.Spec.Ports {
		svcPorts[sp.Name] = true
		svcPorts[strconv.Itoa(sp.Port)] = true
	}
	type route struct {
		ing  k8sObject
		path string
	}
	// ingress-nginx merges the Ingresses of one host and sends a request
	// to the longest matching path.
	metricsRoute := map[string]route{}
	for _, ing := range ings {
		for _, rule := range ing.Spec.Rules {
			for _, hp := range rule.HTTP.Paths {
				b := hp.Backend.Service
				port := b.Port.Name
				if port == "" {
					port = strconv.Itoa(b.Port.Number)
				}
				if b.Name != svc.Metadata.Name || !svcPorts[port] {
					p.add("%s: Ingress %s sends %s to service %s port %s, which is not the Service %s's ports: the ingress answers 503", ing.File, ing.Metadata.Name, hp.Path, b.Name, port, svc.Metadata.Name)
				}
				if matchesPath(hp.Path, hp.PathType, "/metrics") {
					if cur, ok := metricsRoute[rule.Host]; !ok || len(hp.Path) > len(cur.path) {
						metricsRoute[rule.Host] = route{ing, hp.Path}
					}
				}
			}
		}
	}
	if vars["IDEASX_METRICS_TOKEN"] != "" {
		return
	}
	for host, r := range metricsRoute {
		if !loopbackOnly(r.ing.Metadata.Annotations) {
			p.add("%s: https://%s/metrics reaches the pods through Ingress %s (path %s) from anywhere: anyone can read the metrics. Refuse it (the ideasx-metrics Ingress) or set IDEASX_METRICS_TOKEN", r.ing.File, host, r.ing.Metadata.Name, r.path)
		}
	}
}

func matchesPath(rulePath, pathType, p string) bool {
	if pathType == "Exact" {
		return rulePath == p
	}
	rulePath = strings.TrimSuffix(rulePath, "/")
	return p == rulePath || strings.HasPrefix(p, rulePath+"/")
}

// loopbackOnly: the Ingress admits no address but the loopback's, which
// no client outside the controller's pod has.
func loopbackOnly(annotations map[string]string) bool {
	for _, key := range []string{"nginx.ingress.kubernetes.io/whitelist-source-range", "nginx.ingress.kubernetes.io/allowlist-source-range"} {
		v, ok := annotations[key]
		if !ok {
			continue
		}
		for _, r := range strings.Split(v, ",") {
			pfx, err := netip.ParsePrefix(strings.TrimSpace(r))
			if err != nil || !pfx.Masked().Addr().IsLoopback() {
				return false
			}
		}
		return true
	}
	return false
}

// checkBodySize: ingress-nginx refuses request bodies over proxy-body-size
// (1m unless set) before ideasx sees them.
func checkBodySize(p *problems, ings []k8sObject, maxUploadMB int) {
	for _, ing := range ings {
		if loopbackOnly(ing.Metadata.Annotations) || onlyMetrics(ing) {
			continue
		}
		v, ok := ing.Metadata.Annotations["nginx.ingress.kubernetes.io/proxy-body-size"]
		if !ok {
			v = "1m"
		}
		if v == "0" {
			continue // no limit
		}
		unit := map[byte]float64{'k': 1.0 / 1024, 'K': 1.0 / 1024, 'm': 1, 'M': 1, 'g': 1024, 'G': 1024}
		mb, err := strconv.ParseFloat(v, 64)
		if f, ok := unit[v[len(v)-1]]; ok {
			mb, err = strconv.ParseFloat(v[:len(v)-1], 64)
			mb *= f
		} else {
			mb /= 1 << 20 // bytes
		}
		if err != nil {
			p.add("%s: Ingress %s: proxy-body-size %q is not an nginx size: the annotation is refused", ing.File, ing.Metadata.Name, v)
		} else if mb < float64(maxUploadMB) {
			p.add("%s: Ingress %s lets request bodies up to %s through, less than IDEASX_MAX_UPLOAD_MB %d: uploads in between get nginx's bare 413 Request Entity Too Large", ing.File, ing.Metadata.Name, v, maxUploadMB)
		}
	}
}

// onlyMetrics: the Ingress routes /metrics and nothing else, which takes no uploads.
func onlyMetrics(ing k8sObject) bool {
	for _, rule := range ing.Spec.Rules {
		for _, hp := range rule.HTTP.Paths {
			if !matchesPath(hp.Path, "Prefix", "/metrics") || hp.Path == "/" {
				return false
			}
		}
	}
	return true
}
