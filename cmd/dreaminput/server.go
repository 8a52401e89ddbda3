package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sync/errgroup"

	"dream/inputd/client"
	"dream/inputd/config"
	"dream/inputd/primary"
	"dream/inputd/server"
	"dream/internal/cli"
	"dream/internal/discovery"
	"dream/proto/synergy"
)

const serverUsage = `usage: dreaminput server --config FILE [flags]

Shares this machine's keyboard and mouse (X11) with the screens that the
configuration (Barrier's format: screens, links, options with keystroke(...)
hotkeys) places around it. Barrier, Input Leap, Deskflow and dreaminput clients
join it, as does dreamcomp --input-server.

TLS as Barrier does it: each side pins the other's certificate. This server's
fingerprint is printed at start (clients trust it); a screen's goes in
PROFILE/SSL/Fingerprints/TrustedClients.txt, or --trust-client. With
--disable-crypto keystrokes cross the network in the clear, so the server then
listens on loopback only.

Flags:
`

func runServer(args []string) {
	fs := flag.NewFlagSet("dreaminput server", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), serverUsage); fs.PrintDefaults() }
	confPath := fs.String("config", "", "the screens and their links (`FILE`, Barrier's format)")
	name := fs.String("name", hostname(), "this screen's `name`, as the configuration lists it")
	display := fs.String("display", "", "the X display whose keyboard and mouse are shared (`:N`; default $DISPLAY)")
	addr := fs.String("address", "", "listen on `HOST:PORT` (default 0.0.0.0:24800 with TLS, 127.0.0.1:24800 with --disable-crypto)")
	plain := fs.Bool("disable-crypto", false, "plain TCP, as Barrier's --disable-crypto (loopback only)")
	profileDir := fs.String("profile-dir", client.DefaultProfile(), "this server's certificate and trusted screens (`DIR`)")
	trust := fs.String("trust-client", "", "trust the screen with this certificate `fingerprint` (v2:sha256:HEX)")
	announce := fs.Bool("announce", true, "announce this server on the local network (multicast DNS, _dreaminput._tcp)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	pos, _, err := cli.Parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		cli.Fatal("dreaminput", err)
	}
	if len(pos) != 0 {
		cli.Fatal("dreaminput", fmt.Errorf("unexpected argument %q (the server takes flags only)", pos[0]))
	}
	if *confPath == "" {
		cli.Fatal("dreaminput", errors.New("give the configuration with --config FILE (Barrier's format)"))
	}
	log, err := cli.Logger(*logLevel)
	if err != nil {
		cli.Fatal("dreaminput", err)
	}
	f, err := os.Open(*confPath)
	if err != nil {
		cli.Fatal("dreaminput", err)
	}
	screens, err := config.Parse(f)
	f.Close()
	if err != nil {
		cli.Fatal("dreaminput", fmt.Errorf("%s: %w", *confPath, err))
	}
	if *addr == "" {
		*addr = "0.0.0.0:24800"
		if *plain {
			*addr = "127.0.0.1:24800"
		}
	}
	if *plain && !loopback(*addr) {
		cli.Fatal("dreaminput", fmt.Errorf("--disable-crypto with --address %s would send keystrokes in the clear to anyone who names a configured screen: use TLS (drop --disable-crypto) or a loopback address", *addr))
	}
	var tlsConf *tls.Config
	if !*plain {
		profile := client.Profile{Dir: *profileDir}
		if *trust != "" {
			if err := profile.TrustClient(*trust); err != nil {
				cli.Fatal("dreaminput", err)
			}
		}
		if tlsConf, err = profile.ServerTLSConfig(); err != nil {
			cli.Fatal("dreaminput", err)
		}
		log.Info("this server's certificate: clients trust this fingerprint",
			"fingerprint", client.Fingerprint(tlsConf.Certificates[0].Certificate[0]), "profile", *profileDir)
	}
	srv := server.New(server.Config{Screens: screens, TLS: tlsConf, Log: log.With("component", "server")})
	here, err := primary.New(primary.Config{Display: *display, Name: *name, Screens: screens, Server: srv, Log: log.With("component", "primary")})
	if err != nil {
		cli.Fatal("dreaminput", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		cli.Fatal("dreaminput", fmt.Errorf("listen on %s: %w (is another Barrier or dreaminput server running? pick another with --address)", *addr, err))
	}
	log.Info("listening for screens", "address", ln.Addr().String(), "tls", tlsConf != nil)
	if *announce {
		txt := map[string]string{"v": fmt.Sprintf("%d.%d", synergy.Major, synergy.Minor), "tls": "0"}
		if tlsConf != nil {
			txt["tls"], txt["fp"] = "1", client.Fingerprint(tlsConf.Certificates[0].Certificate[0])
		}
		var ips []net.IP
		var iface *net.Interface
		if tcp := ln.Addr().(*net.TCPAddr); !tcp.IP.IsUnspecified() {
			ips = []net.IP{tcp.IP}
			if tcp.IP.IsLoopback() {
				iface = discovery.Loopback() // reachable from here only: announced here only
			}
		}
		a, err := discovery.Announce(discovery.Service{Kind: discovery.Dreaminput, Instance: *name,
			Port: ln.Addr().(*net.TCPAddr).Port, IPs: ips, TXT: txt, Iface: iface})
		if err != nil {
			log.Warn("not announced on the local network", "err", err)
		} else {
			defer a.Close()
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(gctx, ln) })
	g.Go(func() error {
		if err := here.Run(gctx); err != nil {
			return err
		}
		return gctx.Err() // ended with the context: stop serving too
	})
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		stop()
		cli.Fatal("dreaminput", err)
	}
}

// loopback says whether addr (HOST:PORT) listens on loopback only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
