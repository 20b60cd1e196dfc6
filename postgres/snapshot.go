package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// snapshot runs queries in one REPEATABLE READ, read-only transaction sent
// as one pipeline: BEGIN, the queries queue adds, COMMIT, in a single round
// trip to the server. read then reads the queries' results in order. The
// join path's reads of one meeting (FindJoinDataByPK, LoadDirectory of a
// meeting) use it: they run on every admission when joins are confirmed
// on fresh data.
func (db *DB) snapshot(ctx context.Context, queue func(b *pgx.Batch), read func(br pgx.BatchResults) error) error {
	b := &pgx.Batch{}
	b.Queue(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`)
	queue(b)
	b.Queue(`COMMIT`)
	br := db.pool.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return err
	}
	err := read(br)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}
