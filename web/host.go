package web

// hostRoutes registers the host's pages: sign-in, dashboard, meetings,
// roster, attendance, audit, users and settings.
func (a *App) hostRoutes() []route {
	return []route{
		{"GET", "/welcome", a.handleWelcome},
		{"GET", "/setup/{token}", a.handleSetupForm},
		{"POST", "/setup/{token}", a.handleSetup},
		{"GET", "/signin", a.handleSignInForm},
		{"POST", "/signin", a.handleSignIn},
		{"GET", "/invite/{token}", a.handleInviteForm},
		{"POST", "/invite/{token}", a.handleInvite},
		{"POST", "/signout", a.host(a.handleSignOut)},
		{"GET", "/{$}", a.host(a.handleDashboard)},
		{"GET", "/meetings/new", a.host(a.handleScheduleForm)},
		{"POST", "/meetings", a.host(a.handleSchedule)},
		{"POST", "/meetings/check", a.host(a.handleSecurityCheck)},
		{"GET", "/meetings/{id}", a.host(a.handleMeeting)},
		{"POST", "/meetings/{id}/reveal", a.host(a.handleReveal)},
		{"POST", "/meetings/{id}/regenerate", a.host(a.handleRegenerate)},
		{"POST", "/meetings/{id}/end", a.host(a.handleEnd)},
		{"POST", "/meetings/{id}/budget/reset", a.host(a.handleResetBudget)},
		{"GET", "/meetings/{id}/delete", a.host(a.handleDeleteForm)},
		{"POST", "/meetings/{id}/delete", a.host(a.handleDelete)},
		{"GET", "/meetings/{id}/roster", a.host(a.handleRosterFragment)},
		{"GET", "/meetings/{id}/events", a.host(a.handleEvents)},
		{"POST", "/meetings/{id}/participants/{pid}/{decision}", a.host(a.handleDecide)},
		{"GET", "/meetings/{id}/attendance", a.host(a.handleAttendance)},
		{"GET", "/meetings/{id}/attendance.csv", a.host(a.handleAttendanceCSV)},
		{"GET", "/audit", a.host(a.handleAudit)},
		{"GET", "/users", a.host(a.handleUsers)},
		{"POST", "/users", a.host(a.handleInviteUser)},
		{"POST", "/users/{uid}/role", a.host(a.handleUserRole)},
		{"POST", "/users/{uid}/remove", a.host(a.handleUserRemove)},
	}
}
