package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/jwt"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/media"
	"github.com/admit-project/admit/password"
)

// Defaults of the flags shared by every command.
const (
	defaultData = "./admit-data"
	defaultHTTP = "127.0.0.1:8080"
)

// storeFlags are the flags every command takes: where the store and its
// key are.
type storeFlags struct {
	Data    string `name:"data" default:"${default_data}" env:"ADMIT_DATA" placeholder:"DIR" help:"Data directory of the embedded store (and the default key file); default ${default}."`
	KeyFile string `name:"key-file" env:"ADMIT_KEY_FILE" placeholder:"PATH" type:"path" help:"Master key file (default DATA/admit.key); every node of one PostgreSQL store needs the same."`
	DB      string `name:"db" env:"ADMIT_DB" placeholder:"URL" help:"Store: empty for the embedded SQLite store under --data, or a postgres:// URL."`
}

// env is an opened store with its service.
type env struct {
	db      store
	ring    *keys.Ring
	service *app.Service
	fresh   bool // the store was created now
}

// open opens (creating on first use) the store and key under sf.
func (m *Main) open(ctx context.Context, sf *storeFlags, clock admit.Clock, logger *slog.Logger) (*env, error) {
	if err := sf.checkDB(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(sf.keyPath()), 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	// A key file is made only for a store without data: a lost or
	// swapped key file on a store with data would make every sealed secret
	// and index unreadable and break the audit chain.
	ring, err := keys.Open(sf.keyPath())
	if err != nil && !errors.Is(err, keys.ErrNoKeyFile) {
		return nil, err
	}
	// The store's timestamps follow a test clock too.
	db, feed, err := openStore(ctx, sf, clock.Now)
	if err != nil {
		return nil, err
	}
	if ring, err = checkStoreKey(ctx, db, ring, sf.keyPath()); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.SetAuditKey(ctx, ring.AuditKey()); err != nil {
		db.Close()
		return nil, err
	}
	secret := ring.AdmissionKey()
	if s := os.Getenv("ADMIT_ADMISSION_SECRET"); s != "" {
		if secret, err = hex.DecodeString(s); err != nil {
			db.Close()
			return nil, fmt.Errorf("ADMIT_ADMISSION_SECRET must be hex")
		}
	}
	signer, err := jwt.NewSigner(secret)
	if err != nil {
		db.Close()
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	rooms := &media.Rooms{Store: db, Keys: ring, Now: clock.Now, Logger: logger, Open: media.Open}
	svc := &app.Service{Store: db, Keys: ring, Signer: signer, Clock: clock, Rand: rand.Reader, Logger: logger, BaseURL: "http://" + defaultHTTP, Feed: feed,
		Passwords: &password.Hasher{}, Media: rooms}
	_, fresh, err := svc.EnsureDefaultAccount(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &env{db: db, ring: ring, service: svc, fresh: fresh}, nil
}

func (e *env) Close() error { return e.db.Close() }

// actor returns the CLI acting as the user with the email.
func (e *env) actor(ctx context.Context, email string) (*admit.Actor, error) {
	if email == "" {
		return nil, admit.FieldErrorf("email", "--email is required: the user to act as")
	}
	u, err := e.db.FindUserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	return &admit.Actor{User: u, Source: "cli"}, nil
}

// checkStoreKey matches the key file with the store: the store records the
// fingerprint of its master key. A store with data is never given a new key
// (a missing key file, or another key, is refused with how to restore it);
// a store without data gets one, and its fingerprint recorded. A store made
// before fingerprints were recorded takes the key file's (it has no other
// way to tell).
func checkStoreKey(ctx context.Context, db store, ring *keys.Ring, path string) (*keys.Ring, error) {
	want, hasData, err := db.KeyFingerprint(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case ring == nil && (want != "" || hasData):
		return nil, errors.New(keys.MissingKeyAdvice(path, want))
	case ring == nil:
		if ring, _, err = keys.Load(path); err != nil {
			return nil, err
		}
	case want != "" && !ring.MatchesFingerprint(want):
		return nil, errors.New(keys.MissingKeyAdvice(path, want) + " (the key file there has fingerprint " + ring.Fingerprint() + ")")
	}
	if want == "" {
		if err := db.SetKeyFingerprint(ctx, ring.Fingerprint()); err != nil {
			return nil, err
		}
	}
	return ring, nil
}
