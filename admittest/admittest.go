package admittest

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"path/filepath"
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/app"
	"github.com/admit-project/admit/jwt"
	"github.com/admit-project/admit/keys"
	"github.com/admit-project/admit/media"
	"github.com/admit-project/admit/memory"
	"github.com/admit-project/admit/sqlite"
	"github.com/admit-project/admit/translog"
)

// Options say how the service differs from the default one. The zero value
// is a service on a new SQLite file with the all-zero master key, a signer
// key of sevens, crypto/rand, the service's default limiter and no clock
// (set Clock).
type Options struct {
	// Path is the SQLite file; a new one in tb.TempDir() when empty.
	// Several services may share one file, as the server and the CLI do.
	Path string
	// Clock is the service's clock; with StoreClock, the store's too.
	Clock admit.Clock
	// StoreClock makes the store take its time from Clock.
	StoreClock bool
	// MasterKey is the keyring's master key (keys.MasterKeySize bytes);
	// zeros when nil.
	MasterKey []byte
	// SignerKey signs admissions; sevens when nil. With SignerFromRing the
	// keyring's admission key signs instead.
	SignerKey      []byte
	SignerFromRing bool
	// Rand is the service's randomness; crypto/rand when nil.
	Rand io.Reader
	// Limiter replaces the service's default per-source limiter.
	Limiter admit.SourceLimiter
	// Passwords hashes web sign-in passwords.
	Passwords admit.PasswordHasher
	// AuditKey sets the store's audit key from the keyring.
	AuditKey bool
	// BaseURL prefixes join links; "http://admit.test" when empty.
	BaseURL string
}

// Service returns a service on SQLite made as o says, and its store. The
// store is closed when the test ends.
func Service(tb testing.TB, o Options) (*app.Service, *sqlite.DB) {
	tb.Helper()
	path := o.Path
	if path == "" {
		path = filepath.Join(tb.TempDir(), "admit.db")
	}
	db, err := sqlite.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if o.StoreClock && o.Clock != nil {
		db.Now = o.Clock.Now
	}
	master := o.MasterKey
	if master == nil {
		master = make([]byte, keys.MasterKeySize)
	}
	ring, err := keys.New(master)
	if err != nil {
		tb.Fatal(err)
	}
	if o.AuditKey {
		if err := db.SetAuditKey(context.Background(), ring.AuditKey()); err != nil {
			tb.Fatal(err)
		}
	}
	signKey := o.SignerKey
	if o.SignerFromRing {
		signKey = ring.AdmissionKey()
	} else if signKey == nil {
		signKey = bytes.Repeat([]byte{7}, 32)
	}
	signer, err := jwt.NewSigner(signKey)
	if err != nil {
		tb.Fatal(err)
	}
	r := o.Rand
	if r == nil {
		r = rand.Reader
	}
	base := o.BaseURL
	if base == "" {
		base = "http://admit.test"
	}
	rooms := &media.Rooms{Store: db, Keys: ring, Open: media.Open}
	if o.Clock != nil {
		rooms.Now = o.Clock.Now
	}
	svc := &app.Service{Store: db, Keys: ring, Signer: signer, Clock: o.Clock, Rand: r, BaseURL: base,
		Limiter: o.Limiter, Passwords: o.Passwords, Media: rooms}
	return svc, db
}

// OpenLimiter returns a per-source limiter that stays out of the way of
// tests making many failed joins from one address.
func OpenLimiter() *memory.Limiter {
	p := admit.DefaultSourcePolicy()
	p.MaxFailures, p.FreeFailures = 1<<30, 1<<30
	return memory.NewLimiter(p)
}

// Owner makes the default account and its owner, with the given email and
// name, and returns the owner.
func Owner(tb testing.TB, svc *app.Service, email, name string) *admit.User {
	tb.Helper()
	ctx := context.Background()
	acct, _, err := svc.EnsureDefaultAccount(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, acct.ID, email, name, admit.RoleOwner)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// AuditLog gives svc a signed audit log on db (translog over the SQLite
// store, with a new signing key) and returns the integrator, whose Step
// the test calls to place entries and sign a checkpoint.
func AuditLog(tb testing.TB, svc *app.Service, db *sqlite.DB) *translog.Integrator {
	tb.Helper()
	skey, err := translog.GenerateSignerKey(nil, "admit-audit-test")
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := translog.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	svc.AuditLog = &translog.Reader{Store: db.AuditLog(), Verifier: signer.Verifier(), PublicKey: signer.PublicKey()}
	return &translog.Integrator{Store: db.AuditLog(), Signer: signer}
}
