package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"ideasx/server/buildinfo"
)

// buildInfoMetric is the usual constant 1 whose labels name the build, so a
// dashboard can show which version each instance runs during an upgrade.
func buildInfoMetric() prometheus.Collector {
	bi := buildinfo.Get()
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "ideasx_build_info",
		Help:        "Always 1; the labels name the running build.",
		ConstLabels: prometheus.Labels{"version": bi.Version, "commit": bi.Commit, "go_version": bi.GoVersion},
	})
	g.Set(1)
	return g
}
