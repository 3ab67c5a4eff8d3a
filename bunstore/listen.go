package bunstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun/driver/pgdriver"
)

// listener holds a dedicated PostgreSQL connection that LISTENs on the
// store's channel and passes every notification (an append, or a
// cancellation request) to the store's subscribers.
// It reconnects after the server drops it, waking subscribers once it is
// back so that appends made while it was away are not left to the poll.
type listener struct {
	s      *Store
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
}

func startListener(s *Store, log *slog.Logger) *listener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{s: s, log: log, cancel: cancel, done: make(chan struct{})}
	go l.loop(ctx)
	return l
}

func (l *listener) stop() {
	l.cancel()
	<-l.done
}

func (l *listener) loop(ctx context.Context) {
	defer close(l.done)
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		connected := false
		err := l.listen(ctx, func(payload string) {
			connected = true
			l.s.deliver(payload)
		})
		if ctx.Err() != nil {
			return
		}
		if connected {
			wait = 100 * time.Millisecond
		}
		l.log.WarnContext(ctx, "orchestratum: listening for new tasks failed; reconnecting",
			slog.String("channel", l.s.channel()), slog.Duration("retry_in", wait), slog.Any("error", err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// listen LISTENs until ctx ends or the connection fails, calling woke
// with an empty payload once listening (a wake-up, and a cancel check: the
// listener may have missed both) and with each notification's payload.
func (l *listener) listen(ctx context.Context, woke func(payload string)) error {
	switch l.s.db.Driver().(type) {
	case *pgdriver.Driver:
		return l.listenPGDriver(ctx, woke)
	default:
		return l.listenPGX(ctx, woke)
	}
}

func (l *listener) listenPGX(ctx context.Context, woke func(string)) error {
	conn, err := l.s.db.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("LISTEN needs the pgx or pgdriver driver, found %T; "+
				"set Options.NoListen to rely on polling", dc)
		}
		pc := c.Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+l.s.quotedChannel()); err != nil {
			return errors.Join(err, driver.ErrBadConn)
		}
		woke(wakePayload)
		woke(cancelPayload)
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				// The connection still listens, or is broken: either way
				// it must not go back to the pool.
				return errors.Join(err, driver.ErrBadConn)
			}
			woke(n.Payload)
		}
	})
}

func (l *listener) listenPGDriver(ctx context.Context, woke func(string)) error {
	ln := pgdriver.NewListener(l.s.db)
	defer ln.Close()
	if err := ln.Listen(ctx, l.s.channel()); err != nil {
		return err
	}
	woke(wakePayload)
	woke(cancelPayload)
	for {
		_, payload, err := ln.Receive(ctx)
		if err != nil {
			return err
		}
		woke(payload)
	}
}
