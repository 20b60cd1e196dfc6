package postgres_test

import (
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/storetest"
)

func TestAccountMailStore(t *testing.T) {
	storetest.RunAccountMail(t, func(tb testing.TB) admit.Store { return MustOpenDB(tb, FreshSchema(tb)) })
}
