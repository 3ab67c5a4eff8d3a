package bunstore

import (
	"context"
	"errors"
	"fmt"
)

// ErrInTx is returned by a write through a store from inside that store's
// RunInTx, with the context RunInTx gave: the write would wait forever for
// the turn the transaction holds. Write through the store's Tx view.
var ErrInTx = errors.New("this store's RunInTx holds the SQLite write turn; " +
	"write through store.Tx(tx) instead, as in q.Using(store.Tx(tx))")

// writeTurn lets the writers of one process take turns at an SQLite file.
// Unlike a mutex, taking it gives up when the context ends, and it refuses
// at once a writer whose context shows it already holds the turn.
type writeTurn chan struct{}

func newWriteTurn() writeTurn { return make(writeTurn, 1) }

// turnKey is the context key under which a holder's context carries the
// turn it holds.
type turnKey struct{}

// take waits for the turn and returns a context that shows it is held and
// the function that gives it back.
func (t writeTurn) take(ctx context.Context) (context.Context, func(), error) {
	if held, _ := ctx.Value(turnKey{}).(writeTurn); held == t {
		return nil, nil, ErrInTx
	}
	select {
	case t <- struct{}{}:
		return context.WithValue(ctx, turnKey{}, t), func() { <-t }, nil
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("wait for the SQLite write turn: %w", context.Cause(ctx))
	}
}
