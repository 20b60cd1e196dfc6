package memstore_test

import (
	"testing"

	"github.com/admit-project/admit/translog/logtest"
	"github.com/admit-project/admit/translog/memstore"
)

func newHarness(t *testing.T) logtest.Harness {
	s := memstore.New()
	return logtest.Harness{Store: s, Append: s.Append, Attacker: s.Attacker()}
}

func TestConformance(t *testing.T) { logtest.RunConformance(t, newHarness) }

func TestAttacks(t *testing.T) { logtest.RunAttacks(t, newHarness) }
