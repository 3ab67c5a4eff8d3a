package orchestratum

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// ID identifies a task. It is a UUID of version 7: the first 48 bits are
// the creation time in milliseconds, so IDs made later sort later, which
// keeps database indexes compact and gives tasks of equal priority and
// run-at time their append order.
type ID [16]byte

// NilID is the zero ID; no task has it.
var NilID ID

// NewID returns a fresh version 7 UUID. IDs from one process are strictly
// increasing, even within one millisecond.
func NewID() ID {
	return idGen.next(time.Now())
}

// ParseID parses the canonical 36-character form of a UUID.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, fmt.Errorf("parse task id %q: want 36 characters in the form "+
			"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
	}
	hexDigits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(id[:], []byte(hexDigits)); err != nil {
		return NilID, fmt.Errorf("parse task id %q: %w", s, err)
	}
	return id, nil
}

// String returns the canonical lower-case form of the UUID.
func (id ID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], id[10:16])
	return string(b[:])
}

// IsZero reports whether id is NilID.
func (id ID) IsZero() bool { return id == NilID }

// Compare returns -1, 0 or +1 as id sorts before, equal to or after other.
func (id ID) Compare(other ID) int {
	for i := range id {
		switch {
		case id[i] < other[i]:
			return -1
		case id[i] > other[i]:
			return 1
		}
	}
	return 0
}

// MarshalText implements encoding.TextMarshaler.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (id *ID) UnmarshalText(b []byte) error {
	parsed, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = parsed
	return nil
}

// Value implements driver.Valuer: IDs are stored in their text form, which
// both a PostgreSQL uuid column and an SQLite text column accept.
func (id ID) Value() (driver.Value, error) { return id.String(), nil }

// Scan implements sql.Scanner for text and 16-byte binary columns.
func (id *ID) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return id.UnmarshalText([]byte(v))
	case []byte:
		if len(v) == 16 {
			copy(id[:], v)
			return nil
		}
		return id.UnmarshalText(v)
	default:
		return fmt.Errorf("scan task id: want text or 16 bytes, found %T", src)
	}
}

// idGen makes version 7 UUIDs that increase strictly within this process:
// the 12 bits after the version hold a counter that restarts each
// millisecond at a random value below 2048, leaving room to count on.
var idGen idSource

type idSource struct {
	mu      sync.Mutex
	lastMS  int64
	counter uint16
}

func (g *idSource) next(now time.Time) ID {
	var id ID
	if _, err := rand.Read(id[:]); err != nil {
		panic(fmt.Sprintf("orchestratum: read random bytes for a task id: %v", err))
	}
	ms := now.UnixMilli()

	g.mu.Lock()
	switch {
	case ms > g.lastMS:
		g.lastMS = ms
		g.counter = binary.BigEndian.Uint16(id[6:8]) & 0x07ff
	case g.counter < 0x0fff:
		g.counter++
	default:
		// The counter ran out within one millisecond: borrow the next one.
		g.lastMS++
		g.counter = 0
	}
	ms, counter := g.lastMS, g.counter
	g.mu.Unlock()

	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(ms))
	copy(id[0:6], ts[2:8])
	binary.BigEndian.PutUint16(id[6:8], 0x7000|counter)
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id
}
