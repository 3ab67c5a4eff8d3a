package orchestratum

import "context"

// periodicLoop fires the registry's periodic tasks until ctx ends.
// TODO(periodic): fires nothing until periodic tasks land.
func (r *Runner) periodicLoop(ctx context.Context) {}
