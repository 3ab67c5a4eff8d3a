// Package integration holds the tests that run real worker processes
// against a real PostgreSQL server: many runners on one queue, wake-ups
// across processes, transactional appends and skewed clocks. The test
// binary doubles as the worker program (see worker_test.go).
package integration
