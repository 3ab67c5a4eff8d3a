// Package codec turns task payloads into stored JSON and back, and names
// their Go types for the data_type column.
//
// Payloads are encoded with encoding/json (HTML escaping off, so stored
// text stays readable) and decoded back into exactly the registered type:
// whatever encoding/json round-trips comes back equal, including integers
// beyond 2^53, nil versus empty slices, time zones and NUL bytes.
//
// A type's name is its package path and name, such as
// "github.com/acme/mail.Email", built recursively for composite types
// ("[]github.com/acme/mail.Email") and generic instantiations. Names are
// recorded with each task so that a row can be checked against the type a
// process registered; a renamed type keeps its old name working through
// aliases (see Matches).
package codec
