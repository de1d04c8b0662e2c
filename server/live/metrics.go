package live

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	connections    prometheus.Gauge
	subscriptions  prometheus.Gauge
	sent           prometheus.Counter
	dropped        prometheus.Counter
	slow           prometheus.Counter
	publish        prometheus.Histogram
	lag            prometheus.Histogram
	publishErrors  prometheus.Counter
	brokerConnects prometheus.Counter
	brokerErrors   prometheus.Counter
	replayed       prometheus.Counter
	flooded        prometheus.Counter
	replayRefused  prometheus.Counter
	floodRefused   prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		connections:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "ideasx_ws_connections", Help: "Open websocket connections."}),
		subscriptions: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ideasx_ws_subscriptions", Help: "Topic subscriptions of open connections."}),
		sent:          prometheus.NewCounter(prometheus.CounterOpts{Name: "ideasx_ws_messages_sent_total", Help: "Messages queued to websocket clients."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "ideasx_ws_messages_dropped_total",
			Help: "Messages not queued because the client was too slow (it catches up on reconnect)."}),
		slow: prometheus.NewCounter(prometheus.CounterOpts{Name: "ideasx_ws_slow_disconnects_total", Help: "Connections closed because the client did not keep up: its send queue was full, or a write to it waited too long."}),
		publish: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ideasx_live_broker_publish_seconds", Help: "Time to publish one message to the broker.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .5}}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ideasx_live_broker_lag_seconds",
			Help:    "From another instance queueing a message for the broker to this one receiving it (across machines, clock skew adds to it).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5}}),
		publishErrors:  prometheus.NewCounter(prometheus.CounterOpts{Name: "ideasx_live_broker_publish_errors_total", Help: "Broker publishes that failed."}),
		brokerConnects: prometheus.NewCounter(prometheus.CounterOpts{Name: "ideasx_live_broker_connects_total", Help: "Broker subscriptions made, the first one and each reconnection."}),
		brokerErrors:   prometheus.NewCounter(prometheus.CounterOpts{Name: "ideasx_live_broker_errors_total", Help: "Broker subscription failures."}),
		replayed:       prometheus.NewCounter(prometheus.CounterOpts{Name: "ideasx_live_events_replayed_total", Help: "Stored events read back for catch-up and gap filling."}),
		flooded: prometheus.NewCounter(prometheus.CounterOpts{Name: "ideasx_ws_flood_closes_total",
			Help: "Connections closed (1008) for sending messages faster than allowed."}),
		replayRefused: prometheus.NewCounter(prometheus.CounterOpts{Name: "ideasx_ws_replays_refused_total",
			Help: "Catch-ups answered with a reset because the client had spent its replay budget for the minute."}),
		floodRefused: prometheus.NewCounter(prometheus.CounterOpts{Name: "ideasx_ws_flood_refusals_total",
			Help: "Websocket upgrades refused (429) to a client paused after a flood."}),
	}
	if reg != nil {
		reg.MustRegister(m.connections, m.subscriptions, m.sent, m.dropped, m.slow, m.publish, m.lag, m.publishErrors, m.brokerConnects, m.brokerErrors, m.replayed, m.flooded, m.replayRefused, m.floodRefused)
	}
	return m
}
