// Package orchestratum is a persistent background task orchestrator: a
// service appends typed tasks, which are written to a database at once,
// survive restarts and crashes, are retried when they fail, are cut off
// when they run too long, and are never run by two processes at once
// while a lease holds.
//
// # Tasks and executors
//
// A kind of task is an [Executor]: a stable string key and a payload type,
// declared once and shared by the code that appends and the code that runs:
//
//	type Email struct{ To, Subject string }
//
//	var SendEmail = orchestratum.NewExecutor[Email]("send-email")
//
// A [Registry] maps executors to handlers. [Register] takes a function and
// [RegisterHandler] any value with a matching Handle method; the handler
// receives a [Task] whose Data was decoded from JSON back into exactly T:
//
//	reg := orchestratum.NewRegistry()
//	orchestratum.Register(reg, SendEmail, func(ctx context.Context, t *orchestratum.Task[Email]) error {
//		return mailer.Send(ctx, t.Data.To, t.Data.Subject)
//	})
//
// # Appending
//
// A [Queue] appends through a [Store]. The typed form cannot be given the
// wrong payload type; the string-keyed [Queue.Append] checks it at run time:
//
//	q, err := orchestratum.NewQueue(store, reg, orchestratum.Config{})
//	id, err := SendEmail.Append(ctx, q, Email{To: "a@example.com"},
//		orchestratum.WithTimeout(5*time.Minute),
//		orchestratum.WithRetries(5),
//	)
//
// When Append returns nil the task is committed. [Queue.Using] appends
// through another store value, such as one bound to the caller's database
// transaction, so that a task exists exactly when that transaction commits.
//
// # Running
//
// A [Runner] claims due tasks and runs their handlers, up to
// [Config.Concurrency] at once, until the context given to [Runner.Run]
// ends:
//
//	runner, err := orchestratum.NewRunner(store, reg, orchestratum.Config{Concurrency: 20})
//	err = runner.Run(ctx) // blocks; stops gracefully when ctx is done
//
// Each run gets a context that ends at the task's timeout ([ErrTimeout]),
// when the runner stops ([ErrShutdown]) or when the task's lease is lost
// ([ErrLeaseLost]); [context.Cause] tells which. A returned error fails the
// attempt: the task runs again after a backoff while retries are left, and
// fails for good after the last. [Permanent] fails it at once. A panic is
// a failed attempt whose error, a [*PanicError], holds the stack.
//
// # More than a queue
//
// Tasks take a priority ([WithPriority]), a delay or a time ([WithDelay],
// [WithRunAt]), a queue served by runners configured for it ([WithQueue],
// [Config.Queues]) and a unique key that keeps a second active task with it
// from being stored ([WithUniqueKey]). Follow-up tasks built with [Then]
// are appended when a task completes, fails or is cancelled ([OnSuccess],
// [OnFailure], [OnCancel], [AddFollowUp]), in the transaction that records
// its final state. A handler registered with [RegisterResult] returns a
// typed result, read back with [GetResult]; one that returns [Snooze] runs
// again later without using a retry. [Queue.Cancel] cancels a task, even
// one running in another process. [Queue.History] lists every failed
// attempt; [Queue.List], [Queue.Retry] and [Queue.Delete] inspect and
// manage tasks, and [Config.Retention] prunes finished ones.
// [RegisterPeriodic] appends a task once per fire of a [Schedule] ([Every],
// [ParseCron]), however many runners serve it.
//
// # Guarantees
//
// Every [Store] keeps the same contract, checked by the storetest package:
// appends are atomic and durable; a claim takes a task under a lease with a
// fresh token, and no other claim takes it until the lease ends; a writer
// whose lease was lost cannot complete or fail the task; a task whose
// runner died is rescued once its lease ends, counting the lost run as a
// failed attempt, so that a task that kills its runner every time ends
// failed instead of looping. Delivery is at least once: handlers should be
// idempotent.
//
// # Stores
//
// The bunstore package keeps tasks in SQLite (an embedded file, the
// default) or PostgreSQL through Bun; the memstore package keeps them in
// memory for tests. The root package itself needs only the standard
// library.
package orchestratum
