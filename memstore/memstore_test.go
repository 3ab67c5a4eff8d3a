package memstore_test

import (
	"testing"

	orch "github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
	"github.com/orchestratum/orchestratum/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, clock *storetest.Clock) orch.Store {
		return memstore.New(memstore.Options{Now: clock.Now})
	})
}
