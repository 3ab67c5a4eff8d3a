package orchestratum

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound is wrapped by errors about a task that does not exist.
	ErrNotFound = errors.New("task not found")

	// ErrLeaseLost is the cause of a handler's context when its runner
	// could not renew the task's lease: another runner may now run it, so
	// this run's outcome will be discarded.
	ErrLeaseLost = errors.New("lease lost")

	// ErrLeaseExpired is recorded as the error of an attempt whose runner
	// stopped renewing its lease (killed, stalled, or cut off from the
	// store) before it recorded an outcome.
	ErrLeaseExpired = errors.New("lease expired before the attempt finished: " +
		"its runner was stopped, stalled or lost the store")

	// ErrTimeout is the cause of a handler's context when the task's
	// timeout passes; the attempt counts as failed.
	ErrTimeout = errors.New("timed out")

	// ErrShutdown is the cause of a handler's context when its runner
	// stops before the handler returns; the task goes back to pending
	// without using a retry.
	ErrShutdown = errors.New("runner shutting down")

	// ErrCancelled is the cause of a handler's context when its task was
	// cancelled; the task ends cancelled, whatever the handler returns.
	ErrCancelled = errors.New("task cancelled")

	// ErrFinished is wrapped by errors about a task that is already
	// completed, failed or cancelled.
	ErrFinished = errors.New("task already finished")

	// ErrNotFinished is wrapped by errors about a task that is still
	// pending or running.
	ErrNotFinished = errors.New("task not finished")

	// ErrCompleted is wrapped by errors about a task that completed.
	ErrCompleted = errors.New("task completed")

	// ErrRunning is wrapped by errors about a task that is running.
	ErrRunning = errors.New("task running")

	// ErrDuplicate is wrapped by the error of an append whose unique key
	// an active task holds; the append returns that task's ID with it.
	ErrDuplicate = errors.New("an active task holds this unique key")
)

// Permanent wraps err so that the runner fails the task at once, whatever
// retries are left. Use it for errors that no retry can fix, such as a
// payload the handler rejects. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err or an error it wraps came from Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// UnknownExecutorError is returned when a task names an executor that was
// neither registered nor declared.
type UnknownExecutorError struct {
	Key string
}

// Error names the key and says how to make it known.
func (e *UnknownExecutorError) Error() string {
	return fmt.Sprintf("unknown executor %q: register a handler for it or "+
		"declare it on the registry", e.Key)
}
