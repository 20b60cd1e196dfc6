package sqlstore

import (
	"strings"
	"testing"
)

func TestNumbered(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"INSERT INTO t VALUES (?, '?', ?)", "INSERT INTO t VALUES ($1, '?', $2)"},
		{`SELECT "a?" FROM t WHERE x = ?`, `SELECT "a?" FROM t WHERE x = $1`},
		{"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{"SELECT ? /* a ? b */ , ?", "SELECT $1 /* a ? b */ , $2"},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"SELECT 'open ?", "SELECT 'open ?"},
		{"?????????????", "$1$2$3$4$5$6$7$8$9$10$11$12$13"},
	} {
		if got := Numbered(c.in); got != c.want {
			t.Errorf("Numbered(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzNumbered: outside quotes and comments, every "?" becomes the next
// $n, and nothing else changes.
func FuzzNumbered(f *testing.F) {
	f.Add("SELECT a FROM t WHERE b = ? AND c = '?' -- ?\n AND d = ?")
	f.Add("/* ? */ ? \"?\" ?")
	f.Fuzz(func(t *testing.T, q string) {
		out := number(q)
		if !strings.Contains(q, "?") && out != q {
			t.Fatalf("number(%q) = %q: changed a query without placeholders", q, out)
		}
		// Undo: every $n written for a placeholder is back to "?".
		if strings.Count(out, "?") > strings.Count(q, "?") {
			t.Fatalf("number(%q) = %q: more ? than before", q, out)
		}
		if !strings.ContainsAny(q, "$") {
			// Undo, left to right: each $ must be followed by the next
			// number, which turns back into the "?" it stood for.
			var back strings.Builder
			next := 1
			for i := 0; i < len(out); i++ {
				if out[i] != '$' {
					back.WriteByte(out[i])
					continue
				}
				n := itoa(next)
				if !strings.HasPrefix(out[i+1:], n) {
					t.Fatalf("number(%q) = %q: placeholder %d is not numbered %s", q, out, next, n)
				}
				back.WriteByte('?')
				i += len(n)
				next++
			}
			if back.String() != q {
				t.Fatalf("number(%q) = %q: not only placeholders changed (%q)", q, out, back.String())
			}
		}
	})
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}
