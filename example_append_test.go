package orchestratum_test

import (
	"context"
	"fmt"

	"github.com/orchestratum/orchestratum"
	"github.com/orchestratum/orchestratum/memstore"
)

// A process that only appends declares its executors on the registry and
// may then append by key, as when the executor is chosen at run time. The
// payload's type is checked against the executor's.
func ExampleQueue_Append() {
	ctx := context.Background()
	reg := orchestratum.NewRegistry()
	reg.Declare(Greet)
	q, _ := orchestratum.NewQueue(memstore.New(memstore.Options{}), reg, orchestratum.Config{})

	id, err := q.Append(ctx, "greet", Greeting{Name: "Grace"})
	task, _ := q.Get(ctx, id)
	fmt.Println(task.Executor, task.DataType, string(task.Data), err)

	_, err = q.Append(ctx, "greet", "Grace")
	fmt.Println(err)
	_, err = q.Append(ctx, "greeet", Greeting{})
	fmt.Println(err)
	// Output:
	// greet github.com/orchestratum/orchestratum_test.Greeting {"Name":"Grace"} <nil>
	// append greet: executor expects a payload of type github.com/orchestratum/orchestratum_test.Greeting, found string
	// append: unknown executor "greeet": register a handler for it or declare it on the registry
}
