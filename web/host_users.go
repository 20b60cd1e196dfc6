package web

import (
	"net/http"
	"strconv"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// usersPage is the users page's data.
type usersPage struct {
	Users      []*admit.User
	Me         *admit.User
	CanManage  bool
	Invitation *admit.Invitation // just made: its link is shown once
	Link       string            // a new password link
	LinkFor    string
	Form       *form
	Roles      []admit.Role
}

var userFields = map[string]string{"email": "email", "name": "name", "role": "role", "transfer_to": "transfer_to"}

func (a *App) renderUsers(w http.ResponseWriter, r *http.Request, h *hostReq, status int, p *usersPage) {
	us, err := a.Service.Users(r.Context(), h.actor)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	p.Users, p.Me, p.CanManage = us, h.ws.User, h.ws.User.CanManageAccount()
	p.Roles = []admit.Role{admit.RoleHost, admit.RoleAdmin, admit.RoleOwner}
	if p.Form == nil {
		p.Form = &form{}
	}
	pg := h.page("Users", p)
	pg.Flash = notices[r.URL.Query().Get("done")]
	a.render(w, r, status, "host_users", pg)
}

func (a *App) handleUsers(w http.ResponseWriter, r *http.Request, h *hostReq) {
	a.renderUsers(w, r, h, http.StatusOK, &usersPage{})
}

// handleInviteUser invites a user and shows their one-time link.
func (a *App) handleInviteUser(w http.ResponseWriter, r *http.Request, h *hostReq) {
	inv, err := a.Service.InviteUser(r.Context(), h.actor, r.PostForm.Get("email"), r.PostForm.Get("name"), admit.Role(r.PostForm.Get("role")))
	if err != nil {
		if !isUserError(err) {
			a.errorPage(w, r, err)
			return
		}
		a.renderUsers(w, r, h, edge.ErrorStatus(admit.ErrorCode(err)), &usersPage{Form: formError(r.PostForm, err, userFields)})
		return
	}
	a.renderUsers(w, r, h, http.StatusOK, &usersPage{Invitation: inv})
}

func userParam(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	return n
}

func (a *App) handleUserRole(w http.ResponseWriter, r *http.Request, h *hostReq) {
	if _, err := a.Service.ChangeRole(r.Context(), h.actor, userParam(r), admit.Role(r.PostForm.Get("role"))); err != nil {
		if !isUserError(err) {
			a.errorPage(w, r, err)
			return
		}
		a.renderUsers(w, r, h, edge.ErrorStatus(admit.ErrorCode(err)), &usersPage{Form: &form{Error: admit.ErrorMessage(err)}})
		return
	}
	http.Redirect(w, r, "/users?done=decided", http.StatusSeeOther)
}

func (a *App) handleUserRemove(w http.ResponseWriter, r *http.Request, h *hostReq) {
	to, _ := strconv.ParseInt(r.PostForm.Get("transfer_to"), 10, 64)
	if err := a.Service.RemoveUser(r.Context(), h.actor, userParam(r), to); err != nil {
		if !isUserError(err) {
			a.errorPage(w, r, err)
			return
		}
		a.renderUsers(w, r, h, edge.ErrorStatus(admit.ErrorCode(err)), &usersPage{Form: &form{Error: admit.ErrorMessage(err)}})
		return
	}
	http.Redirect(w, r, "/users?done=decided", http.StatusSeeOther)
}

// handleUserLink makes a new password link for a user and shows it.
func (a *App) handleUserLink(w http.ResponseWriter, r *http.Request, h *hostReq) {
	link, err := a.Service.PasswordLink(r.Context(), h.actor, userParam(r))
	if err != nil {
		if !isUserError(err) {
			a.errorPage(w, r, err)
			return
		}
		a.renderUsers(w, r, h, edge.ErrorStatus(admit.ErrorCode(err)), &usersPage{Form: &form{Error: admit.ErrorMessage(err)}})
		return
	}
	name := ""
	if us, err := a.Service.Users(r.Context(), h.actor); err == nil {
		for _, u := range us {
			if u.ID == userParam(r) {
				name = u.Name
			}
		}
	}
	a.renderUsers(w, r, h, http.StatusOK, &usersPage{Link: link, LinkFor: name})
}
