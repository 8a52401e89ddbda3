// Package client is dreaminput's screen side: it connects to a Synergy,
// Barrier, Input Leap, Deskflow or dreaminput server, introduces its screen by
// name, and applies what the server sends while the pointer is on this screen
// (keys, buttons, wheel, motion) to the X display with XTEST. Whatever it holds
// is released when the pointer leaves or the connection drops, and it
// reconnects when the server goes away.
package client
