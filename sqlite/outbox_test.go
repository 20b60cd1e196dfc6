package sqlite_test

import (
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/storetest"
)

func TestOutbox(t *testing.T) {
	storetest.RunOutbox(t, func(tb testing.TB) admit.OutboxStore { return MustOpenDB(tb) })
}

func TestOutboxSaver(t *testing.T) {
	storetest.RunOutboxSaver(t, func(tb testing.TB) storetest.MailStore { return MustOpenDB(tb) })
}
