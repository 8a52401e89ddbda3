// Package session keeps dreamcomp's desktop, its X display and the
// applications on it, alive between runs of dreamcomp, as tmux keeps a
// terminal's programs or xpra's server its windows.
//
// A session is a small process of its own, the keeper: dreamcomp run again
// as `dreamcomp __dream-session-keeper DIR`, in a process session of its
// own (setsid), so that neither a terminal's Ctrl-C nor dreamcomp's death
// reaches it. The keeper starts Xvfb and the session's command, and ends
// them both when the command ends, when Xvfb dies, or when asked to stop.
//
// Each session has a directory under Dir (mode 0700), named by the session:
//
//	lock         held (flock) by the keeper for as long as it runs
//	sock         the keeper's Unix socket
//	config.json  what the keeper starts: size, GLX, command
//	log          the keeper's log, and the command's output
//
// On the socket the keeper speaks first, one line, once the display is up:
//
//	display :N WIDTHxHEIGHT PID
//
// A client may then send "stop\n". When the session ends the keeper writes
// one last line to every client and closes the connection:
//
//	ended ok TEXT      (stopped, or the command exited with status 0)
//	ended error TEXT   (the command failed, or Xvfb died)
//
// Attach connects to a session's keeper, starting one first if none runs;
// the lock decides between two dreamcomps that start the same session at
// once. A client is told the session ended by its last line, or by the
// socket closing if the keeper was killed; it never polls.
package session
