package memory_test

import (
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/limittest"
	"github.com/admit-project/admit/memory"
)

// TestMemoryLimiterConformance runs the limiter conformance suite against
// memory.Limiter: the n "nodes" are one limiter, as in one process.
func TestMemoryLimiterConformance(t *testing.T) {
	limittest.Run(t, limittest.Backend{Open: func(tb testing.TB, p admit.SourcePolicy, n int) []admit.SourceLimiter {
		l := memory.NewLimiter(p)
		ls := make([]admit.SourceLimiter, n)
		for i := range ls {
			ls[i] = l
		}
		return ls
	}})
}
