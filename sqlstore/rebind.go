package sqlstore

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Numbered rewrites the "?" placeholders of query as $1, $2, … in order, for
// PostgreSQL. A "?" inside a string literal ('…'), a quoted identifier
// ("…") or a comment (-- to the end of the line, /* … */) is left as it is.
// Results are cached by query (up to a bound, so that queries built at run
// time cannot grow the cache without end).
func Numbered(query string) string {
	if v, ok := numbered.Load(query); ok {
		return v.(string)
	}
	out := number(query)
	if numberedN.Add(1) <= maxNumbered {
		numbered.Store(query, out)
	}
	return out
}

const maxNumbered = 4096

var (
	numbered  sync.Map
	numberedN atomic.Int64
)

func number(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			j := strings.Index(query[i+2:], "*/")
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+4])
			i += j + 3
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
