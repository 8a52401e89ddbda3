package rtc

import (
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// loggerFactory adapts pion's leveled loggers to slog. pion warns about routine
// events (a packet for a connection being closed), so everything below Error
// goes to Debug.
type loggerFactory struct{ log *slog.Logger }

func (f loggerFactory) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{f.log.With("pion", scope)}
}

type pionLogger struct{ log *slog.Logger }

func (l pionLogger) Trace(msg string)                          {}
func (l pionLogger) Tracef(format string, args ...interface{}) {}
func (l pionLogger) Debug(msg string)                          { l.log.Debug(msg) }
func (l pionLogger) Debugf(format string, args ...interface{}) {
	l.log.Debug(fmt.Sprintf(format, args...))
}
func (l pionLogger) Info(msg string) { l.log.Debug(msg) }
func (l pionLogger) Infof(format string, args ...interface{}) {
	l.log.Debug(fmt.Sprintf(format, args...))
}
func (l pionLogger) Warn(msg string) { l.log.Debug(msg) }
func (l pionLogger) Warnf(format string, args ...interface{}) {
	l.log.Debug(fmt.Sprintf(format, args...))
}
func (l pionLogger) Error(msg string) { l.log.Error(msg) }
func (l pionLogger) Errorf(format string, args ...interface{}) {
	l.log.Error(fmt.Sprintf(format, args...))
}
