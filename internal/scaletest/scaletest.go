// Package scaletest holds the tests that run several `wallet serve`
// processes on one database (directly and through PgBouncer) and the read
// path on a streaming replica (issue 12). It has no code of its own beyond
// the helpers its tests share.
package scaletest
