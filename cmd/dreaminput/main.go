// Command dreaminput shares one keyboard and mouse across machines, speaking the
// Synergy/Barrier protocol.
//
//	dreaminput server --config dream.conf
//
// shares this machine's keyboard and mouse with the screens the configuration
// links to its edges, and
//
//	dreaminput client --name laptop server.local
//
// connects this machine's screen to a Barrier, Synergy, Input Leap, Deskflow or
// dreaminput server. See README.md.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"dream/inputd/client"
	"dream/internal/cli"
)

const usage = `usage: dreaminput server --config FILE [flags]
       dreaminput client --name NAME [flags] HOST[:PORT]
`

const clientUsage = `usage: dreaminput client --name NAME [flags] HOST[:PORT]

Connects this machine's screen, by the name the server's configuration gives it,
to a Barrier, Synergy, Input Leap, Deskflow or dreaminput server (port 24800 by
default), applies its keyboard and mouse with XTEST, and reconnects when the
server goes away.

TLS as Barrier does it: each side pins the other's certificate. This screen's
fingerprint is printed at start (add it to the server's TrustedClients.txt);
the server's goes in PROFILE/SSL/Fingerprints/TrustedServers.txt, or --trust.

Flags:
`

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "client" && os.Args[1] != "server") {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if os.Args[1] == "server" {
		runServer(os.Args[2:])
		return
	}
	fs := flag.NewFlagSet("dreaminput client", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), clientUsage); fs.PrintDefaults() }
	name := fs.String("name", hostname(), "this screen's `name`, as the server's configuration lists it")
	display := fs.String("display", "", "the X display to drive (`:N`; default $DISPLAY)")
	plain := fs.Bool("disable-crypto", false, "plain TCP, as the server's --disable-crypto")
	profileDir := fs.String("profile-dir", client.DefaultProfile(), "this screen's certificate and trusted servers (`DIR`)")
	trust := fs.String("trust", "", "trust the server with this certificate `fingerprint` (v2:sha256:HEX, as Barrier shows it)")
	retry := fs.Duration("retry", time.Second, "pause before reconnecting")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	pos, _, err := cli.Parse(fs, os.Args[2:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		cli.Fatal("dreaminput", err)
	}
	if len(pos) != 1 {
		cli.Fatal("dreaminput", errors.New("give the server as HOST or HOST:PORT, once"))
	}
	log, err := cli.Logger(*logLevel)
	if err != nil {
		cli.Fatal("dreaminput", err)
	}
	var tlsConf *tls.Config
	if !*plain {
		if tlsConf, err = (client.Profile{Dir: *profileDir}).Setup(*trust, log); err != nil {
			cli.Fatal("dreaminput", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := client.Run(ctx, client.Config{Server: pos[0], Name: *name, Display: *display, Log: log, Retry: *retry, TLS: tlsConf}); err != nil {
		stop()
		cli.Fatal("dreaminput", err)
	}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "screen"
	}
	return h
}
