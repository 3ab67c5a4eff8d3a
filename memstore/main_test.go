package memstore_test

import (
	"testing"

	"github.com/orchestratum/orchestratum/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }
