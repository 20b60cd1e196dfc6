package web

// hostRoutes registers the host's pages: sign-in, dashboard, meetings,
// roster, attendance, audit, users and settings.
func (a *App) hostRoutes() []route {
	return nil
}
