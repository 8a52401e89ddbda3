// Package config reads Barrier's (and Synergy's) server configuration, so a
// user's existing barrier.conf works with dreaminput: the screens and their
// aliases, the links between their edges (with optional ranges), and the
// options, including hotkeys such as
//
//	keystroke(Control+Alt+Right) = switchInDirection(right)
//	keystroke(Super+1) = switchToScreen(laptop)
package config
