package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisBroker carries messages between instances over one Redis pub/sub
// channel. Redis only rings the bell: a message lost while it is away is
// found again in the database when the subscription comes back.
type RedisBroker struct {
	rdb     *redis.Client
	channel string
	log     *slog.Logger
	metrics *metrics
}

// NewRedisBroker uses rdb's connection settings; channel separates
// deployments sharing one Redis.
func NewRedisBroker(rdb *redis.Client, channel string, log *slog.Logger) *RedisBroker {
	quietRedis.Do(func() { redis.SetLogger(redisLogger{log}) })
	return &RedisBroker{rdb: rdb, channel: channel, log: log}
}

// go-redis logs each failed dial while Redis is away; the broker reports
// the outage itself, so those lines go to debug.
var quietRedis sync.Once

type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// Publish sends m to every instance subscribed to the channel.
func (b *RedisBroker) Publish(ctx context.Context, m Message) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return b.rdb.Publish(ctx, b.channel, data).Err()
}

// Run receives until ctx ends. go-redis reconnects and resubscribes by
// itself after a network error; each (re)subscription is reported so that
// the hub looks in the database for what it may have missed meanwhile.
func (b *RedisBroker) Run(ctx context.Context, deliver func(Message), resync func()) {
	ps := b.rdb.Subscribe(ctx, b.channel)
	defer ps.Close()
	backoff := 50 * time.Millisecond
	// lostAt is when the current outage began (zero while subscribed): it
	// is logged when it starts and when it ends, the retries in between
	// only at debug level (one every 2 s would bury everything else).
	var lostAt time.Time
	for ctx.Err() == nil {
		msg, err := ps.ReceiveTimeout(ctx, 5*time.Second)
		if err != nil {
			var netErr net.Error
			if errors.As(err, &netErr) && netErr.Timeout() {
				// Quiet channel: a ping proves the connection still lives,
				// and a failed one makes the next receive reconnect.
				_ = ps.Ping(ctx)
				continue
			}
			if ctx.Err() != nil {
				return
			}
			if lostAt.IsZero() {
				lostAt = time.Now()
				b.log.Warn("live: redis subscription lost; retrying every 2 s at most, live updates from other instances come from the database meanwhile", "error", err)
			} else {
				b.log.Debug("live: redis still unreachable", "error", err, "retry_in", backoff.String())
			}
			if b.metrics != nil {
				b.metrics.brokerErrors.Inc()
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 2*time.Second)
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			backoff = 50 * time.Millisecond
			if !lostAt.IsZero() {
				b.log.Info("live: redis subscription back", "down_for", time.Since(lostAt).Round(time.Second).String())
				lostAt = time.Time{}
			}
			if b.metrics != nil {
				b.metrics.brokerConnects.Inc()
			}
			resync()
		case *redis.Message:
			var lm Message
			if err := json.Unmarshal([]byte(m.Payload), &lm); err != nil {
				b.log.Warn("live: unreadable broker message", "error", err)
				continue
			}
			deliver(lm)
		}
	}
}
