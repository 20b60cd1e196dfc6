package app

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/admit-project/admit"
)

// ImportContacts adds the contacts of a CSV file to the actor's address
// book. The first row names the columns: name (required), email and phone
// (optional, any order, any case). Each row is checked as CreateContact
// checks it; bad rows are reported with their line and left out, the good
// ones added. EINVALID (field "file") for a file that is not CSV, has no
// name column, or has more than MaxContactImportRows rows (then nothing is
// added).
func (s *Service) ImportContacts(ctx context.Context, a *admit.Actor, r io.Reader) (*admit.ContactImport, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, admit.FieldErrorf("file", "the file is empty")
	} else if err != nil {
		return nil, admit.FieldErrorf("file", "the file is not CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, admit.FieldErrorf("file", "the first row must name the columns, with at least \"name\" (and optionally \"email\" and \"phone\")")
	}
	var rows [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, admit.FieldErrorf("file", "the file is not CSV: %v", err)
		}
		rows = append(rows, rec)
		if len(rows) > admit.MaxContactImportRows {
			return nil, admit.FieldErrorf("file", "the file has more than %d rows; split it", admit.MaxContactImportRows)
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
	out := &admit.ContactImport{Added: []*admit.Contact{}, Rejected: []*admit.RejectedRow{}}
	for i, rec := range rows {
		in := &admit.ContactInput{Name: get(rec, "name"), Email: get(rec, "email"), Phone: get(rec, "phone")}
		if in.Name == nil {
			empty := ""
			in.Name = &empty
		}
		c, err := s.CreateContact(ctx, a, in)
		if err != nil {
			if code := admit.ErrorCode(err); code != admit.EINVALID && code != admit.ECONFLICT {
				return out, err
			}
			out.Rejected = append(out.Rejected, &admit.RejectedRow{Row: i + 2, Reason: admit.ErrorMessage(err)})
			continue
		}
		out.Added = append(out.Added, c)
	}
	return out, nil
}
