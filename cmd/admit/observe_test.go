package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/faulttest"
	"github.com/admit-project/admit/postgres"
)

// TestRefuseUnsafeDurability starts a private PostgreSQL with fsync and
// synchronous_commit off: serve's check refuses it, naming both settings,
// unless --allow-unsafe-durability; a safe cluster passes.
func TestRefuseUnsafeDurability(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	unsafe := faulttest.StartPostgres(t, faulttest.PostgresOptions{Settings: map[string]string{"fsync": "off", "synchronous_commit": "off"}})
	db, err := postgres.Open(ctx, unsafe.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = checkDurability(ctx, db, false, logger)
	if admit.ErrorCode(err) != admit.EINVALID || !strings.Contains(err.Error(), "fsync and synchronous_commit off") || !strings.Contains(err.Error(), "--allow-unsafe-durability") {
		t.Errorf("unsafe PostgreSQL: %v; want EINVALID naming fsync and synchronous_commit and the flag", err)
	}
	if err := checkDurability(ctx, db, true, logger); err != nil {
		t.Errorf("unsafe PostgreSQL with --allow-unsafe-durability: %v", err)
	}

	safe := faulttest.StartPostgres(t, faulttest.PostgresOptions{})
	sdb, err := postgres.Open(ctx, safe.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if err := checkDurability(ctx, sdb, false, logger); err != nil {
		t.Errorf("safe PostgreSQL: %v", err)
	}
}
