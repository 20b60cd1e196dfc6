package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Signer is a minimal in-process OpenID provider for what a real provider
// will not do on request: it serves discovery and its key set, answers
// /authorize at once (no login) and issues ID tokens whose claims a test
// may change (Tweak) or sign with a key it does not publish (Forge). It
// checks the client secret and the PKCE S256 verifier like a real one.
type Signer struct {
	// Issuer is the signer's URL, which is also its issuer.
	Issuer       string
	ClientID     string
	ClientSecret string
	// Subject, Email, EmailVerified, Name and Groups are the ID token's
	// claims about the person.
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Groups        []string

	mu      sync.Mutex
	keys    []*signingKey // keys[len-1] signs; all are published
	forge   *signingKey
	tweak   func(claims map[string]any)
	pending map[string]pendingCode
	server  *httptest.Server
	fetches int
}

// KeyFetches returns how often the key set was requested.
func (s *Signer) KeyFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

type pendingCode struct {
	clientID, redirect, nonce, challenge string
}

// NewSigner starts a Signer on 127.0.0.1 with one key and a default
// person (alice@example.com, verified, in group "staff"), and stops it
// when the test ends.
func NewSigner(tb testing.TB) *Signer {
	tb.Helper()
	s := &Signer{ClientID: "admit-test", ClientSecret: "signer-secret", Subject: "signer-alice",
		Email: "alice@example.com", EmailVerified: true, Name: "Alice Signer", Groups: []string{"staff"},
		pending: map[string]pendingCode{}}
	if err := s.addKey(); err != nil {
		tb.Fatalf("oidctest: signer key: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /keys", s.jwks)
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	s.server = httptest.NewServer(mux)
	s.Issuer = s.server.URL
	tb.Cleanup(s.server.Close)
	return s
}

func (s *Signer) addKey() error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	s.keys = append(s.keys, &signingKey{id: "k" + strconv.Itoa(len(s.keys)+1), key: k})
	return nil
}

// Rotate signs from now on with a new key and stops publishing the old
// ones, as a provider rotating its keys does.
func (s *Signer) Rotate(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.addKey(); err != nil {
		tb.Fatalf("oidctest: rotate: %v", err)
	}
	s.keys = s.keys[len(s.keys)-1:]
}

// Forge makes the signer sign with a key it does not publish, under the
// current key's ID (a forged token).
func (s *Signer) Forge(tb testing.TB) {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatalf("oidctest: forge key: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forge = &signingKey{id: s.keys[len(s.keys)-1].id, key: k}
}

// Tweak sets a function that changes the claims of the ID tokens issued
// from now on (nil for none).
func (s *Signer) Tweak(f func(claims map[string]any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tweak = f
}

func (s *Signer) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                s.Issuer,
		"authorization_endpoint":                s.Issuer + "/authorize",
		"token_endpoint":                        s.Issuer + "/token",
		"jwks_uri":                              s.Issuer + "/keys",
		"end_session_endpoint":                  s.Issuer + "/logout",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (s *Signer) jwks(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.fetches++
	set := jose.JSONWebKeySet{}
	for _, k := range s.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.key.PublicKey, KeyID: k.id, Algorithm: "RS256", Use: "sig"})
	}
	s.mu.Unlock()
	writeJSON(w, set)
}

func (s *Signer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != s.ClientID || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := randomString()
	s.mu.Lock()
	s.pending[code] = pendingCode{clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"), nonce: q.Get("nonce"), challenge: q.Get("code_challenge")}
	s.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (s *Signer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.ClientID || secret != s.ClientSecret {
		writeJSONStatus(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	code := r.PostForm.Get("code")
	s.mu.Lock()
	p, found := s.pending[code]
	delete(s.pending, code) // codes are single use
	s.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if !found || p.clientID != id || p.redirect != r.PostForm.Get("redirect_uri") ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != p.challenge {
		tokenError(w, "invalid_grant")
		return
	}
	now := time.Now()
	claims := map[string]any{
		"iss": s.Issuer, "sub": s.Subject, "aud": s.ClientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": p.nonce, "email": s.Email, "email_verified": s.EmailVerified, "name": s.Name, "groups": s.Groups,
	}
	s.mu.Lock()
	tweak, key := s.tweak, s.keys[len(s.keys)-1]
	if s.forge != nil {
		key = s.forge
	}
	s.mu.Unlock()
	if tweak != nil {
		tweak(claims)
	}
	raw, err := sign(key, claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]any{"access_token": randomString(), "token_type": "Bearer", "expires_in": 300, "id_token": raw})
}

// sign returns claims as a compact RS256 JWS signed with k.
func sign(k *signingKey, claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), k.id))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

func tokenError(w http.ResponseWriter, code string) {
	writeJSONStatus(w, http.StatusBadRequest, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, v any) { writeJSONStatus(w, http.StatusOK, v) }

func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		fmt.Fprintln(w, err)
	}
}

func randomString() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
