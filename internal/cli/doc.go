// Package cli holds what the dream commands share: flags mixed with positional
// arguments, logging set up from --log-level, and the fatal-error convention.
package cli
