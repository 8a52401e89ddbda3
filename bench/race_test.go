//go:build race

package bench

// raceEnabled: the race detector slows the code several times over; a test
// of a rate a user would notice checks it only without it (scripts/test runs
// it again so).
const raceEnabled = true
