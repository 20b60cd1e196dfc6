package mail_test

import (
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/mail"
	"github.com/admit-project/admit/storetest"
)

func TestMemoryOutboxConformance(t *testing.T) {
	storetest.RunOutbox(t, func(testing.TB) admit.OutboxStore { return &mail.MemoryOutbox{} })
}
