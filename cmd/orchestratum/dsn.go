package main

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// isPostgresURL reports whether dsn names a PostgreSQL database rather
// than an SQLite file.
func isPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// keywordDSN matches a keyword/value connection string of libpq, such as
// "host=db user=me": a keyword that only such strings use, then "=".
var keywordDSN = regexp.MustCompile(`(?i)(^|\s)(host|hostaddr|port|dbname|user|password|` +
	`passfile|sslmode|sslpassword|sslcert|sslkey|sslrootcert|connect_timeout|` +
	`application_name|options|service|target_session_attrs)\s*=`)

// validateDB checks the --db value as written, before anything is opened:
// an SQLite file path or a postgres:// URL. Its messages never repeat a
// string that may hold a password.
func validateDB(dsn string) error {
	switch {
	case dsn == "":
		return errors.New("--db must name an SQLite file or a postgres:// URL, found nothing")
	case isPostgresURL(dsn):
		return validatePostgresURL(dsn)
	case dsn == ":memory:" || strings.HasPrefix(dsn, "file:"):
		return fmt.Errorf("--db %q: want the path of an SQLite file, found an SQLite "+
			"URI or in-memory name; the tasks must outlive the process", redact(dsn))
	case strings.Contains(dsn, "://"):
		return fmt.Errorf("--db %s: want an SQLite file path or a postgres:// URL, "+
			"found another kind of URL", redact(dsn))
	case keywordDSN.MatchString(dsn):
		return errors.New("--db looks like a keyword/value connection string " +
			"(host=… user=…), which is not supported: use a postgres:// URL, " +
			"such as postgres://user:password@host:5432/dbname")
	}
	return nil
}

// validatePostgresURL checks that dsn parses as a URL. url.Parse repeats
// its input in its errors, password included, so its error is left out.
func validatePostgresURL(dsn string) error {
	if _, err := url.Parse(dsn); err != nil {
		return errors.New("--db is not a valid postgres:// URL: check that reserved " +
			"characters (such as @ / : ? # or a space) in the password or other parts " +
			"are percent-encoded")
	}
	return nil
}

// redact hides the passwords of a connection URL in messages, in its user
// information and in query parameters such as password and sslpassword.
// A file path comes back as it is.
func redact(dsn string) string {
	if !strings.Contains(dsn, "://") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "the database"
	}
	u.RawQuery = redactQuery(u.RawQuery)
	return u.Redacted()
}

// redactQuery replaces the values of the password parameters of a raw
// query, keeping the order and spelling of the others.
func redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		if isSecretKey(k) {
			parts[i] = k + "=xxxxx"
		}
	}
	return strings.Join(parts, "&")
}

// isSecretKey reports whether the raw query key k names a password.
func isSecretKey(k string) bool {
	if dk, err := url.QueryUnescape(k); err == nil {
		k = dk
	}
	return strings.Contains(strings.ToLower(k), "password")
}
