package main

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// pgSchema makes sure the schema exists in the database at base (dropping
// and making it anew when fresh) and returns base with its search_path set
// to it, so that a benchmark store lives beside anything else in the
// database and is found again by later runs.
func pgSchema(ctx context.Context, base, schema string, fresh bool) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("--db: %w", err)
	}
	// The pool's settings (pool_max_conns …) are not the server's.
	plain := *u
	q := plain.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	plain.RawQuery = q.Encode()
	conn, err := pgx.Connect(ctx, plain.String())
	if err != nil {
		return "", fmt.Errorf("--db: %w", err)
	}
	defer conn.Close(ctx)
	id := pgx.Identifier{schema}.Sanitize()
	if fresh {
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+id+" CASCADE"); err != nil {
			return "", err
		}
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+id); err != nil {
		return "", err
	}
	q = u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// pgCacheName names a database's cache directory by its host and name.
func pgCacheName(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return "db"
	}
	return unsafeName.ReplaceAllString(u.Host+u.Path, "_")
}
