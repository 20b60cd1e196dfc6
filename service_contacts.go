package admit

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// MaxContactImportRows bounds one CSV import of the address book.
const MaxContactImportRows = 5000

// RejectedRow is a CSV row an import left out, and why.
type RejectedRow struct {
	Row    int    `json:"row"` // 1-based line of the file, the header being 1
	Reason string `json:"reason"`
}

// ContactImport reports a CSV import.
type ContactImport struct {
	Added    []*Contact     `json:"added"`
	Rejected []*RejectedRow `json:"rejected"`
}

// ImportContacts adds the contacts of a CSV file to the actor's address
// book. The first row names the columns: name (required), email and phone
// (optional, any order, any case). Each row is checked as CreateContact
// checks it; bad rows are reported with their line and left out, the good
// ones added. EINVALID (field "file") for a file that is not CSV, has no
// name column, or has more than MaxContactImportRows rows (then nothing is
// added).
func (s *Service) ImportContacts(ctx context.Context, a *Actor, r io.Reader) (*ContactImport, error) {
	if err := require(a, ScopeManage); err != nil {
		return nil, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, FieldErrorf("file", "the file is empty")
	} else if err != nil {
		return nil, FieldErrorf("file", "the file is not CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, FieldErrorf("file", "the first row must name the columns, with at least \"name\" (and optionally \"email\" and \"phone\")")
	}
	var rows [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, FieldErrorf("file", "the file is not CSV: %v", err)
		}
		rows = append(rows, rec)
		if len(rows) > MaxContactImportRows {
			return nil, FieldErrorf("file", "the file has more than %d rows; split it", MaxContactImportRows)
		}
	}
	get := func(rec []string, name string) *string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return nil
		}
		v := rec[i]
		return &v
	}
	out := &ContactImport{Added: []*Contact{}, Rejected: []*RejectedRow{}}
	for i, rec := range rows {
		in := &ContactInput{Name: get(rec, "name"), Email: get(rec, "email"), Phone: get(rec, "phone")}
		if in.Name == nil {
			empty := ""
			in.Name = &empty
		}
		c, err := s.CreateContact(ctx, a, in)
		if err != nil {
			if code := ErrorCode(err); code != EINVALID && code != ECONFLICT {
				return out, err
			}
			out.Rejected = append(out.Rejected, &RejectedRow{Row: i + 2, Reason: ErrorMessage(err)})
			continue
		}
		out.Added = append(out.Added, c)
	}
	return out, nil
}
