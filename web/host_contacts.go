package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// contactsPage is the address book's data.
type contactsPage struct {
	Contacts []*admit.Contact
	Form     *form
	EditID   int64 // the contact whose edit failed
	Import   *admit.ContactImport
}

var contactFields = map[string]string{"name": "name", "email": "email", "phone": "phone", "file": "file"}

func (a *App) renderContacts(w http.ResponseWriter, r *http.Request, h *hostReq, status int, p *contactsPage) {
	cs, err := a.Service.Contacts(r.Context(), h.actor)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	p.Contacts = cs
	if p.Form == nil {
		p.Form = &form{}
	}
	pg := h.page("Address book", p)
	pg.Flash = map[string]string{"saved": "Saved.", "deleted": "Deleted."}[r.URL.Query().Get("done")]
	a.render(w, r, status, "host_contacts", pg)
}

func (a *App) handleContacts(w http.ResponseWriter, r *http.Request, h *hostReq) {
	a.renderContacts(w, r, h, http.StatusOK, &contactsPage{})
}

func contactInput(v map[string][]string) *admit.ContactInput {
	get := func(k string) *string {
		s := ""
		if vs := v[k]; len(vs) > 0 {
			s = vs[0]
		}
		return &s
	}
	return &admit.ContactInput{Name: get("name"), Email: get("email"), Phone: get("phone")}
}

func (a *App) handleAddContact(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if _, err := a.Service.CreateContact(r.Context(), h.actor, contactInput(r.PostForm)); err != nil {
		if !isUserError(err) {
			a.errorPage(w, r, err)
			return
		}
		a.renderContacts(w, r, h, edge.ErrorStatus(admit.ErrorCode(err)), &contactsPage{Form: formError(r.PostForm, err, contactFields)})
		return
	}
	http.Redirect(w, r, "/contacts?done=saved", http.StatusSeeOther)
}

func contactParam(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.PathValue("cid"), 10, 64)
	return n
}

func (a *App) handleEditContact(w http.ResponseWriter, r *http.Request, h *hostReq) {
	id := contactParam(r)
	if _, err := a.Service.UpdateContact(r.Context(), h.actor, id, contactInput(r.PostForm)); err != nil {
		if !isUserError(err) {
			a.errorPage(w, r, err)
			return
		}
		a.renderContacts(w, r, h, edge.ErrorStatus(admit.ErrorCode(err)), &contactsPage{Form: formError(r.PostForm, err, contactFields), EditID: id})
		return
	}
	http.Redirect(w, r, "/contacts?done=saved", http.StatusSeeOther)
}

func (a *App) handleDeleteContact(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if err := a.Service.DeleteContact(r.Context(), h.actor, contactParam(r)); err != nil {
		a.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/contacts?done=deleted", http.StatusSeeOther)
}

// handleImportContacts adds the rows of an uploaded (or pasted) CSV file
// and reports the rejected ones.
func (a *App) handleImportContacts(w http.ResponseWriter, r *http.Request, h *hostReq) {
	var src io.Reader
	if f, _, err := r.FormFile("file"); err == nil {
		defer f.Close()
		src = f
	} else if text := r.PostForm.Get("csv"); strings.TrimSpace(text) != "" {
		src = strings.NewReader(text)
	} else {
		a.renderContacts(w, r, h, http.StatusBadRequest, &contactsPage{Form: &form{Error: "Choose a CSV file, or paste its text.", Field: "file"}})
		return
	}
	rep, err := a.Service.ImportContacts(r.Context(), h.actor, src)
	if err != nil {
		if !isUserError(err) {
			a.errorPage(w, r, err)
			return
		}
		a.renderContacts(w, r, h, edge.ErrorStatus(admit.ErrorCode(err)), &contactsPage{Form: &form{Error: admit.ErrorMessage(err), Field: "file"}, Import: rep})
		return
	}
	a.renderContacts(w, r, h, http.StatusOK, &contactsPage{Import: rep})
}
