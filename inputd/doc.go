// Package inputd is dream's input daemon, dreaminput: one keyboard and mouse
// across the screens of several machines, speaking the Synergy/Barrier protocol
// (proto/synergy) so that Barrier, Input Leap and Deskflow peers interoperate.
//
// client is the screen side: it connects to a server, says which screen it is,
// applies the input it receives to its X display with XTEST, and shares its
// clipboards. server is the protocol side of the server role (accepting
// screens, keep-alives, sending input and clipboards to the active screen);
// primary is the server machine's own screen (watching its keyboard and mouse,
// crossing edges, hotkeys); config reads Barrier's configuration files.
package inputd
