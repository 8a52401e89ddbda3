//go:build race

package compositor_test

// raceEnabled: the race detector slows the code several times over; tests
// of what a user sees in time loosen their bounds under it (scripts/test
// runs them again without it, with the real ones).
const raceEnabled = true
