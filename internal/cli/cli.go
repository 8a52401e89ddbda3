package cli

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Parse parses args with fs, allowing flags after positional arguments
// (`dreamview http://host:8040 --tile 2`). Arguments after "--" are returned
// untouched, as the tail.
func Parse(fs *flag.FlagSet, args []string) (positional, tail []string, err error) {
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
		}
		rest := fs.Args()
		// flag stops at "--" and drops it: see whether it did.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return positional, rest, nil
		}
		if len(rest) == 0 {
			return positional, nil, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// Logger returns a text logger on stderr at the named level.
func Logger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}

// Fatal prints "prog: err" on stderr and exits with status 1.
func Fatal(prog string, err error) {
	msg := err.Error()
	if !strings.HasPrefix(msg, prog+":") {
		msg = prog + ": " + msg
	}
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}
