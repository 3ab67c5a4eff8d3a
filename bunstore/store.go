// Package bunstore is the orchestratum.Store on a SQL database through Bun:
// an embedded SQLite file (the default; no server, no cgo) or PostgreSQL.
//
// New takes a *bun.DB, applies the shipped migrations unless told not to,
// and returns a Store. OpenSQLite opens an SQLite file with the settings
// the store relies on: WAL, a busy timeout and immediate transactions.
//
// Queries run through the database/sql handle under the *bun.DB, with the
// driver's own parameters rather than Bun's client-side formatting, so a
// payload of many megabytes travels as one parameter. Tx binds a store to a
// caller's bun.Tx so that tasks are appended in the caller's transaction.
package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	orch "github.com/orchestratum/orchestratum"
)

// Options configures a Store. The zero value is the default.
type Options struct {
	// Table is the tasks table; empty means DefaultTable. It must pass
	// ValidateTable.
	Table string

	// Now replaces the store's clock. Nil means time.Now on SQLite and
	// the database's own clock on PostgreSQL. Tests set it to a fake clock.
	Now func() time.Time

	// NoListen turns off LISTEN on PostgreSQL, leaving runners to poll
	// for tasks appended by other processes. Set it behind a connection
	// pooler in transaction mode, where LISTEN does not work.
	NoListen bool

	// Logger receives the store's anomalies, such as a lost LISTEN
	// connection. Nil means slog.Default().
	Logger *slog.Logger

	// SkipMigrate leaves the schema alone, for deployments that migrate
	// separately (see Migrator and the CLI's migrate command). New still
	// checks that the schema is current.
	SkipMigrate bool
}

// Store is an orchestratum.Store on an SQLite or PostgreSQL database.
type Store struct {
	db       *bun.DB
	conn     conn // db.DB, or the caller's transaction for a Tx view
	inTx     bool
	pg       bool
	name     string // the table name as given
	table    string // the table name quoted for SQL
	attempts string // the history table, quoted
	locks    string // the locks table, quoted
	now      func() time.Time
	ops      ops
	rows     rows
	hub      *orch.Hub // shared with Tx views
	log      *slog.Logger
	lis      *listening // shared with Tx views
}

// listening starts the LISTEN connection once, on the first subscription.
type listening struct {
	once     sync.Once
	start    func() *listener // nil when the store does not listen
	listener *listener
}

// conn is what *sql.DB and *sql.Tx have in common.
type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ops are the operations whose SQL differs between dialects.
type ops interface {
	append(ctx context.Context, c conn, tasks []orch.NewRecord) (orch.AppendResult, error)
	write(ctx context.Context, fn func(tx *sql.Tx) error) error
	// take waits for the write turn of this process (on SQLite) and
	// returns a context that shows it is held.
	take(ctx context.Context) (context.Context, func(), error)
	claim(ctx context.Context, p orch.ClaimParams) ([]orch.Record, error)
	heartbeat(ctx context.Context, p orch.HeartbeatParams) (orch.HeartbeatResult, error)
	finish(ctx context.Context, p orch.FinishParams) (orch.FinishResult, error)
	close() error
}

var _ orch.Store = (*Store)(nil)

// New returns a store on db for the tasks table in opts, first applying
// the schema migrations unless opts.SkipMigrate is set.
func New(ctx context.Context, db *bun.DB, opts Options) (*Store, error) {
	if opts.Table == "" {
		opts.Table = DefaultTable
	}
	m, err := NewMigrator(db, opts.Table)
	if err != nil {
		return nil, err
	}
	if !opts.SkipMigrate {
		if _, err := m.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	if _, pending, err := m.Status(ctx); err != nil {
		return nil, err
	} else if len(pending) > 0 {
		return nil, fmt.Errorf("bunstore: table %s lacks migrations %v; run them "+
			"(orchestratum migrate) or leave Options.SkipMigrate unset", opts.Table, pending)
	}
	ident := func(name string) string { return string(db.QueryGen().AppendIdent(nil, name)) }
	s := &Store{
		db:       db,
		conn:     db.DB,
		name:     opts.Table,
		table:    ident(opts.Table),
		attempts: ident(opts.Table + "_attempts"),
		locks:    ident(opts.Table + "_locks"),
		now:      opts.Now,
		hub:      &orch.Hub{},
		lis:      &listening{},
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s.log = opts.Logger
	switch db.Dialect().Name() {
	case dialect.SQLite:
		if s.now == nil {
			s.now = time.Now
		}
		o := newSQLiteOps(s)
		s.ops, s.rows = o, o
	case dialect.PG:
		o := newPGOps(s)
		s.ops, s.rows, s.pg = o, o, true
		if !opts.NoListen {
			s.lis.start = func() *listener { return startListener(s, opts.Logger) }
		}
	}
	return s, nil
}

// Close releases what the store holds besides the *bun.DB, which stays
// open for its owner to close.
func (s *Store) Close() error {
	if s.inTx {
		return nil
	}
	s.lis.once.Do(func() {}) // no listener starts after Close
	if s.lis.listener != nil {
		s.lis.listener.stop()
	}
	return s.ops.close()
}

// DB returns the database the store was made with.
func (s *Store) DB() *bun.DB { return s.db }

// Table returns the name of the tasks table.
func (s *Store) Table() string { return s.name }

// RunInTx runs fn in a transaction on the store's database, committing it
// when fn returns nil and rolling it back otherwise. Use it for writes of
// your own that go with the store's, such as a handler's results: on
// SQLite it first takes the write turn that the store's own writes in
// this process take, so that neither waits in SQLite's busy handler,
// whose sleeps of up to 100 ms cut throughput several times over.
//
// Inside fn, append tasks through q.Using(s.Tx(tx)), so that they commit
// with tx. A write through the store itself (s, not s.Tx(tx)) with the
// context fn was given fails at once with ErrInTx on SQLite, since fn
// holds the turn it would wait for; with another context it waits until
// that context ends.
//
// A transaction that cannot begin because another process keeps an SQLite
// file busy past the busy timeout is begun again, for up to a minute;
// once fn runs, its errors are returned as they are.
func (s *Store) RunInTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	ctx, release, err := s.ops.take(ctx)
	if err != nil {
		return fmt.Errorf("run in transaction: %w", err)
	}
	defer release()
	tx, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("run in transaction: %w", err)
	}
	defer func() {
		if v := recover(); v != nil {
			tx.Rollback()
			panic(v)
		}
	}()
	if err := fn(ctx, tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

// begin begins a transaction, trying again while SQLite reports the file
// busy.
func (s *Store) begin(ctx context.Context) (bun.Tx, error) {
	giveUp := time.Now().Add(busyGiveUp)
	for attempt := 1; ; attempt++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if !isBusy(err) || time.Now().After(giveUp) {
			return tx, err
		}
		if err := waitBusy(ctx, attempt); err != nil {
			return tx, err
		}
	}
}

// ignoreDone drops the error of rolling back a transaction fn already
// ended.
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// Tx returns a view of the store whose Append runs in tx: the tasks exist
// if and only if tx commits. Use it with Queue.Using, in a transaction
// begun by the store's RunInTx (which on SQLite keeps the store's own
// writes from waiting on yours) or by bun:
//
//	err := store.RunInTx(ctx, func(ctx context.Context, tx bun.Tx) error {
//		// ... the caller's own writes ...
//		_, err := SendEmail.Append(ctx, q.Using(store.Tx(tx)), email)
//		return err
//	})
//
// Only Append and Get belong in a transaction; the view's other methods
// go to the database directly.
//
// TODO(tx wake-up): on SQLite a runner learns of tasks appended through a
// view at its next poll, since the view cannot see the commit; on
// PostgreSQL the NOTIFY sent in the transaction wakes it at commit.
func (s *Store) Tx(tx bun.Tx) *Store {
	c := *s
	c.conn = tx.Tx
	c.inTx = true
	return &c
}

// clock returns the store's time as it stores times: the injected clock's,
// or this machine's where the database keeps the time (PostgreSQL).
func (s *Store) clock() time.Time {
	now := time.Now
	if s.now != nil {
		now = s.now
	}
	return now().UTC().Truncate(time.Microsecond)
}

// nowSQL is the SQL for the store's now, whose argument nowArg gives.
func (s *Store) nowSQL() string {
	if s.pg {
		return "coalesce(?::timestamptz, statement_timestamp())"
	}
	return "?"
}

// nowArg is the argument of nowSQL, given the store's clock reading now.
func (s *Store) nowArg(now time.Time) any {
	switch {
	case !s.pg:
		return micros(now)
	case s.now == nil:
		return nil // the database's clock
	}
	return now
}

// timeArg is a time as the dialect stores it.
func (s *Store) timeArg(t time.Time) any {
	if s.pg {
		return t.UTC()
	}
	return micros(t)
}

// Append implements orchestratum.Store.
func (s *Store) Append(ctx context.Context, p orch.AppendParams) (orch.AppendResult, error) {
	if len(p.Tasks) == 0 {
		return orch.AppendResult{}, nil
	}
	if s.inTx {
		return s.ops.append(ctx, s.conn, p.Tasks)
	}
	var res orch.AppendResult
	err := s.ops.write(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.ops.append(ctx, tx, p.Tasks)
		return err
	})
	if err != nil {
		return orch.AppendResult{}, err
	}
	if slices.Contains(res.Existed, false) {
		s.hub.Wake()
	}
	return res, nil
}

// Claim implements orchestratum.Store.
func (s *Store) Claim(ctx context.Context, p orch.ClaimParams) ([]orch.Record, error) {
	if p.Limit <= 0 || len(p.Executors) == 0 {
		return nil, nil
	}
	return s.ops.claim(ctx, p)
}

// Heartbeat implements orchestratum.Store.
func (s *Store) Heartbeat(ctx context.Context, p orch.HeartbeatParams) (orch.HeartbeatResult, error) {
	if len(p.Leases) == 0 {
		return orch.HeartbeatResult{}, nil
	}
	return s.ops.heartbeat(ctx, p)
}

// Finish implements orchestratum.Store.
func (s *Store) Finish(ctx context.Context, p orch.FinishParams) (orch.FinishResult, error) {
	if len(p.Outcomes) == 0 {
		return orch.FinishResult{}, nil
	}
	res, err := s.ops.finish(ctx, p)
	if err == nil && (hasFollowUps(p.Outcomes) || len(res.Cancelled) > 0) {
		s.hub.Wake()
	}
	return res, err
}

// hasFollowUps reports whether a final outcome may have appended tasks.
func hasFollowUps(outcomes []orch.Outcome) bool {
	for i := range outcomes {
		if outcomes[i].State.Finished() {
			return true
		}
	}
	return false
}

// Get implements orchestratum.Store.
func (s *Store) Get(ctx context.Context, id orch.ID) (orch.Record, error) {
	q := s.rebind("SELECT " + columns + " FROM " + s.table + " WHERE id = ?")
	r, err := scanRecord(s.conn.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return orch.Record{}, fmt.Errorf("get task %s: %w", id, orch.ErrNotFound)
	}
	if err != nil {
		return orch.Record{}, fmt.Errorf("get task %s: %w", id, err)
	}
	return r, nil
}

// Subscribe implements orchestratum.Store: appends through this store, and
// on PostgreSQL through any process, wake the subscribers.
// The first subscription on PostgreSQL starts the LISTEN connection.
func (s *Store) Subscribe() *orch.Subscription {
	if s.lis.start != nil {
		s.lis.once.Do(func() { s.lis.listener = s.lis.start() })
	}
	return s.hub.Subscribe()
}

// funcName is the quoted name of the table's SQL function with suffix.
func (s *Store) funcName(suffix string) string {
	return string(s.db.QueryGen().AppendIdent(nil, s.name+"_"+suffix))
}

// channel is the name of the store's notification channel on PostgreSQL:
// the table's name, so that stores on other tables are not woken.
func (s *Store) channel() string { return s.name }

// quotedChannel is channel quoted as an identifier for LISTEN.
func (s *Store) quotedChannel() string { return s.table }

// rebind turns ? placeholders into the dialect's own.
func (s *Store) rebind(q string) string {
	if s.db.Dialect().Name() != dialect.PG {
		return q
	}
	out := make([]byte, 0, len(q)+16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = fmt.Appendf(out, "$%d", n)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}
