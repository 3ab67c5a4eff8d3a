package bunstore

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// OpenSQLite opens (creating if needed) the SQLite database file at path
// with the settings the store relies on: write-ahead logging so readers
// never block the writer, full fsync on commit so an appended task
// survives a power cut, a 10 s busy timeout for writers of other
// processes, and immediate transactions so that a writer takes the lock
// when it begins instead of failing to upgrade later. The driver is
// modernc.org/sqlite, which needs no cgo.
func OpenSQLite(path string) (*bun.DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open sqlite: path is empty")
	}
	if strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open sqlite %q: want a file path, not a URI", path)
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)",
		"synchronous(FULL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	if err := sqldb.Ping(); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}
