package snap

import "time"

// SetNow replaces the clock that decides the X-EXTERNAL-ID day.
func (s *Server) SetNow(now func() time.Time) { s.now = now }
