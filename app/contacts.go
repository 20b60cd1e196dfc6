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

// Contacts lists the address book of the actor's account.
func (s *Service) Contacts(ctx context.Context, a *admit.Actor) ([]*admit.Contact, error) {
	if err := require(a, admit.ScopeRead); err != nil {
		return nil, err
	}
	return s.Store.FindContacts(ctx, a.User.AccountID)
}

// CreateContact adds a contact. EINVALID names a bad field.
func (s *Service) CreateContact(ctx context.Context, a *admit.Actor, in *admit.ContactInput) (*admit.Contact, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	c := &admit.Contact{AccountID: a.User.AccountID}
	if in.Name == nil {
		return nil, admit.FieldErrorf("name", "name is required")
	}
	if err := applyContact(c, in); err != nil {
		return nil, err
	}
	if err := s.Store.CreateContact(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateContact changes a contact. ENOTFOUND, EINVALID.
func (s *Service) UpdateContact(ctx context.Context, a *admit.Actor, id int64, in *admit.ContactInput) (*admit.Contact, error) {
	if err := require(a, admit.ScopeManage); err != nil {
		return nil, err
	}
	c, err := s.Store.FindContactByID(ctx, a.User.AccountID, id)
	if err != nil {
		return nil, err
	}
	if err := applyContact(c, in); err != nil {
		return nil, err
	}
	if err := s.Store.UpdateContact(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteContact removes a contact. Invitees made from it keep their names.
func (s *Service) DeleteContact(ctx context.Context, a *admit.Actor, id int64) error {
	if err := require(a, admit.ScopeManage); err != nil {
		return err
	}
	return s.Store.DeleteContact(ctx, a.User.AccountID, id)
}

func applyContact(c *admit.Contact, in *admit.ContactInput) error {
	var err error
	if in.Name != nil {
		if c.Name, err = admit.ValidateName("name", *in.Name); err != nil {
			return err
		}
	}
	if in.Email != nil {
		if c.Email, err = admit.ValidateEmail("email", *in.Email, true); err != nil {
			return err
		}
	}
	if in.Phone != nil {
		if c.Phone, err = admit.ValidatePhone("phone", *in.Phone); err != nil {
			return err
		}
	}
	return nil
}
