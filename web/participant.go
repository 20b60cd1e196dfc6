package web

// participantRoutes registers the participant's pages: /j, /j/{meeting_id},
// the access-code page, /i/{token}, waiting and joined.
func (a *App) participantRoutes() []route {
	return nil
}
