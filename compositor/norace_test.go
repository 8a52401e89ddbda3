//go:build !race

package compositor_test

const raceEnabled = false
