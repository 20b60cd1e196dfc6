package sqlite_test

import (
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/storetest"
)

func TestSSOConformance(t *testing.T) {
	storetest.RunSSO(t, func(tb testing.TB) admit.Store { return MustOpenDB(tb) })
}
