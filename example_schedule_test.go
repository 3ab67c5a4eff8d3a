package orchestratum_test

import (
	"fmt"
	"time"

	"github.com/orchestratum/orchestratum"
)

// A cron expression fires on the wall clock of its time zone, so 9:00 stays
// 9:00 when New York moves its clocks forward on 10 March 2024.
func ExampleParseCron() {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		fmt.Println(err)
		return
	}
	weekdays, err := orchestratum.ParseCron("0 9 * * MON-FRI", newYork)
	if err != nil {
		fmt.Println(err)
		return
	}
	at := time.Date(2024, 3, 7, 12, 0, 0, 0, newYork) // a Thursday
	for range 3 {
		at = weekdays.Next(at)
		fmt.Println(at.Format("Mon 2006-01-02 15:04 MST"), at.UTC().Format("(15:04 UTC)"))
	}
	// Output:
	// Fri 2024-03-08 09:00 EST (14:00 UTC)
	// Mon 2024-03-11 09:00 EDT (13:00 UTC)
	// Tue 2024-03-12 09:00 EDT (13:00 UTC)
}
