package cli

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// ErrUsage wraps a flag error that the flag set has already printed, with the
// usage; the command should exit with status 2 and print nothing more.
var ErrUsage = errors.New("usage")

// Parse parses args with fs, allowing flags after positional arguments
// (`dreamview host:8040 --tile 2`). Arguments after "--" are returned
// untouched, as the tail.
func Parse(fs *flag.FlagSet, args []string) (positional, tail []string, err error) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("%w: %w", ErrUsage, err)
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

// Fatal prints "prog: err" on stderr and exits with status 1; for ErrUsage, which
// was printed already, it exits with status 2.
func Fatal(prog string, err error) {
	if errors.Is(err, ErrUsage) {
		os.Exit(2)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, prog+":") {
		msg = prog + ": " + msg
	}
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}
