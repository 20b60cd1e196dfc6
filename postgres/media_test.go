package postgres_test

import (
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/storetest"
)

func TestMediaStore(t *testing.T) {
	storetest.RunMedia(t, func(tb testing.TB) admit.Store { return MustOpenDB(tb, FreshSchema(tb)) })
}
