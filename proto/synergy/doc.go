// Package synergy speaks the Synergy/Barrier protocol, version 1.6, so that
// dream's input daemon works with Barrier, Input Leap and Deskflow peers.
//
// A connection carries frames: a 4-byte big-endian length, then that many bytes
// of payload. A payload starts with a 4-letter code (the hello with "Barrier" or
// "Synergy") followed by fields in the code's format, big-endian:
//
//	1, 2, 4   an integer of that many bytes
//	s         a string: a 4-byte length, then its bytes
//	I         a list of 4-byte integers: a 4-byte count, then the integers
//
// The server speaks first (Hello); the client answers (HelloBack, with its
// screen name); the server asks for the screen's shape (QINF), the client tells
// it (DINF), the server acknowledges (CIAK), resets and sets options (CROP,
// DSOP), then sends input while the pointer is on that screen (CINN … COUT).
// Both sides send a keep-alive (CALV) every 3 s and drop a peer silent for three
// of them.
package synergy
