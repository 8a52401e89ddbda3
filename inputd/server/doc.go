// Package server is dreaminput's server side of the Synergy/Barrier protocol:
// it accepts screens (Barrier's barrierc, Input Leap, Deskflow or dreaminput
// clients), checks their names against the configuration, keeps them alive, and
// sends keyboard and mouse input to the screen the pointer is on.
//
// The input itself comes from the caller (Enter, Move, Key, …): capturing this
// machine's keyboard and mouse and following edges is the job of the code that
// drives a Server.
package server
