//go:build cgo

package rawinput

/*
#cgo pkg-config: x11 xi xtst
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#include <X11/Xlib.h>
#include <X11/extensions/XInput2.h>
#include <X11/extensions/XI2proto.h>
#include <X11/extensions/record.h>

// An I/O error (the X server went away) makes Xlib's default handlers print
// and exit the process. Ours return: the I/O error handler is process-wide and
// only stays quiet (every display's exit handler still runs); the exit handler
// of our displays notes the loss, and the display answers nothing from then on.
static int dream_io_error(Display *d) { return 0; }

// Xlib's default handler of protocol errors exits too (this one is process-wide
// as well); a failed request here (a device gone between its event and our
// query) is not fatal.
static int dream_x_error(Display *d, XErrorEvent *e) { return 0; }
static void dream_io_exit(Display *d, void *lost) { *(int *)lost = 1; }

static Display *dream_xi_open(const char *name, int *opcode, int *lost, int *why) {
	XSetIOErrorHandler(dream_io_error);
	XSetErrorHandler(dream_x_error);
	Display *d = XOpenDisplay(name);
	if (!d) { *why = 1; return NULL; }
	XSetIOErrorExitHandler(d, dream_io_exit, lost);
	int event, error;
	if (!XQueryExtension(d, "XInputExtension", opcode, &event, &error)) {
		*why = 2; XCloseDisplay(d); return NULL;
	}
	int major = 2, minor = 1;
	if (XIQueryVersion(d, &major, &minor) != Success) {
		*why = 3; XCloseDisplay(d); return NULL;
	}
	unsigned char raw[XIMaskLen(XI_LASTEVENT)] = {0}, hier[XIMaskLen(XI_LASTEVENT)] = {0};
	XISetMask(raw, XI_RawMotion);
	XISetMask(hier, XI_HierarchyChanged);
	XIEventMask m[2] = {{XIAllMasterDevices, sizeof raw, raw}, {XIAllDevices, sizeof hier, hier}};
	XISelectEvents(d, DefaultRootWindow(d), m, 2);
	XFlush(d);
	return d;
}

// An absolute device (a tablet, a touchscreen, a virtual machine's pointer)
// reports where it is, not how far it moved: its motion is the difference from
// its last report, scaled from the axis's range to the screen's.
typedef struct {
	int id, absolute[2], have[2];
	double min[2], max[2], last[2];
} dream_dev;

static dream_dev dream_devs[64];
static int dream_ndevs;

static dream_dev *dream_device(Display *d, int id) {
	for (int i = 0; i < dream_ndevs; i++)
		if (dream_devs[i].id == id) return &dream_devs[i];
	if (dream_ndevs == 64) dream_ndevs = 0; // forget them all: they are looked up again
	dream_dev *dev = &dream_devs[dream_ndevs++];
	*dev = (dream_dev){.id = id};
	int n = 0;
	XIDeviceInfo *info = XIQueryDevice(d, id, &n);
	for (int k = 0; info && k < n; k++) {
		for (int c = 0; c < info[k].num_classes; c++) {
			if (info[k].classes[c]->type != XIValuatorClass) continue;
			XIValuatorClassInfo *v = (XIValuatorClassInfo *)info[k].classes[c];
			if (v->number > 1 || v->mode != XIModeAbsolute || v->max <= v->min) continue;
			dev->absolute[v->number] = 1;
			dev->min[v->number] = v->min;
			dev->max[v->number] = v->max;
		}
	}
	if (info) XIFreeDeviceInfo(info);
	return dev;
}

// Warps: a program that moves the pointer itself (XWarpPointer, or XI2's
// XIWarpPointer) makes no raw motion. The RECORD extension tells of those
// requests, from every client, as they come: a context on the main display
// records them, and a second display, which does nothing else, receives
// them.
static void dream_rec_cb(XPointer warped, XRecordInterceptData *data) {
	if (data->category == XRecordFromClient) *(int *)warped = 1;
	XRecordFreeData(data);
}

static Display *dream_rec_open(Display *d, const char *name, int opcode, int *lost, int *warped, XRecordContext *ctx) {
	int major, minor;
	if (!XRecordQueryVersion(d, &major, &minor)) return NULL;
	XRecordRange *core = XRecordAllocRange(), *xi = XRecordAllocRange();
	if (!core || !xi) { XFree(core); XFree(xi); return NULL; }
	core->core_requests.first = core->core_requests.last = X_WarpPointer;
	xi->ext_requests.ext_major.first = xi->ext_requests.ext_major.last = opcode;
	xi->ext_requests.ext_minor.first = xi->ext_requests.ext_minor.last = X_XIWarpPointer;
	XRecordRange *ranges[2] = {core, xi};
	XRecordClientSpec all = XRecordAllClients;
	*ctx = XRecordCreateContext(d, 0, &all, 1, ranges, 2);
	XFree(core);
	XFree(xi);
	if (!*ctx) return NULL;
	XSync(d, False);
	Display *rec = XOpenDisplay(name);
	if (!rec) { XRecordFreeContext(d, *ctx); *ctx = 0; return NULL; }
	XSetIOErrorExitHandler(rec, dream_io_exit, lost);
	if (!XRecordEnableContextAsync(rec, *ctx, dream_rec_cb, (XPointer)warped)) {
		XCloseDisplay(rec);
		XRecordFreeContext(d, *ctx);
		*ctx = 0;
		return NULL;
	}
	XFlush(rec);
	return rec;
}

// dream_xi_next blocks until raw motion arrives, then sums every motion
// already queued into *dx, *dy (in screen pixels: the device's accelerated
// axes 0 and 1) and returns 1; a warp recorded on rec (NULL: none) returns 1
// too, with no motion. It returns 0 when wake becomes readable and -1 when
// the connection is lost.
static int dream_xi_next(Display *d, Display *rec, int *warped, int opcode, int wake, int *lost, double *dx, double *dy) {
	int got = 0;
	*dx = *dy = 0;
	Screen *scr = DefaultScreenOfDisplay(d);
	double size[2] = {WidthOfScreen(scr), HeightOfScreen(scr)};
	for (;;) {
		while (!*lost && XPending(d) > 0) {
			XEvent ev;
			XNextEvent(d, &ev);
			XGenericEventCookie *c = &ev.xcookie;
			if (c->type != GenericEvent || c->extension != opcode || !XGetEventData(d, c))
				continue;
			if (c->evtype == XI_HierarchyChanged) {
				dream_ndevs = 0; // devices came or went: ids may mean others now
			} else if (c->evtype == XI_RawMotion) {
				XIRawEvent *r = c->data;
				dream_dev *dev = dream_device(d, r->sourceid);
				double *v = r->valuators.values;
				for (int i = 0; i < r->valuators.mask_len * 8; i++) {
					if (!XIMaskIsSet(r->valuators.mask, i))
						continue;
					if (i <= 1) {
						double m = *v;
						if (dev->absolute[i]) {
							m = dev->have[i] ? (*v - dev->last[i]) * size[i] / (dev->max[i] - dev->min[i]) : 0;
							dev->last[i] = *v;
							dev->have[i] = 1;
						}
						if (i == 0) *dx += m; else *dy += m;
					}
					v++;
				}
				got = 1;
			}
			XFreeEventData(d, c);
		}
		if (rec && !*lost) XRecordProcessReplies(rec);
		if (*lost) return -1;
		if (warped && *warped) { *warped = 0; got = 1; }
		if (got) return 1;
		struct pollfd p[3] = {{ConnectionNumber(d), POLLIN, 0}, {wake, POLLIN, 0}, {rec ? ConnectionNumber(rec) : -1, POLLIN, 0}};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR) continue;
			return -1;
		}
		if (p[1].revents) return 0;
		if ((p[0].revents | p[2].revents) & (POLLHUP | POLLERR)) return -1;
	}
}

static void dream_rec_close(Display *d, Display *rec, XRecordContext ctx, int *lost) {
	if (*lost) {
		close(ConnectionNumber(rec));
		return;
	}
	XRecordDisableContext(d, ctx);
	XRecordFreeContext(d, ctx);
	XSync(d, False);
	XCloseDisplay(rec);
}

// dream_xi_close frees the connection. XCloseDisplay hangs on a connection the
// X server has dropped: then only the socket is closed (Xlib's few kilobytes
// for the display stay allocated).
static void dream_xi_close(Display *d, int *lost) {
	int fd = ConnectionNumber(d);
	struct pollfd p = {fd, POLLIN, 0};
	if (!*lost && poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
		*lost = 1;
	if (*lost)
		close(fd);
	else
		XCloseDisplay(d);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"
)

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("raw input closed")

// Watcher reads raw pointer motion from one display.
type Watcher struct {
	mu      sync.Mutex // held by Next while it waits; Close takes it to free the display
	dpy     *C.Display
	rec     *C.Display // receives recorded warps; nil unless WatchWarps
	ctx     C.XRecordContext
	warped  *C.int
	opcode  C.int
	lost    *C.int // set by Xlib's I/O error exit handler
	r, w    *os.File
	closed  bool
	display string
}

// Open connects to display (":N"; "" is $DISPLAY) and asks for its raw motion.
func Open(display string) (*Watcher, error) {
	name := display
	if name == "" {
		name = os.Getenv("DISPLAY")
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	lost := (*C.int)(C.calloc(1, C.sizeof_int))
	var opcode, why C.int
	dpy := C.dream_xi_open(cname, &opcode, lost, &why)
	if dpy == nil {
		C.free(unsafe.Pointer(lost))
		switch why {
		case 1:
			return nil, fmt.Errorf("raw input: cannot open display %q (is an X server running there?)", name)
		case 2:
			return nil, fmt.Errorf("raw input: display %s has no XInput extension", name)
		default:
			return nil, fmt.Errorf("raw input: display %s has no XInput 2.1 (raw motion needs it)", name)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		C.XCloseDisplay(dpy)
		C.free(unsafe.Pointer(lost))
		return nil, err
	}
	return &Watcher{dpy: dpy, opcode: opcode, lost: lost, r: r, w: w, display: name}, nil
}

// WatchWarps has Next return, with no motion, when a program warps the
// pointer (XWarpPointer or XIWarpPointer): that moves it without raw motion.
// It needs the RECORD extension. Call it before the first Next.
func (w *Watcher) WatchWarps() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if w.rec != nil {
		return nil
	}
	name := C.CString(w.display)
	defer C.free(unsafe.Pointer(name))
	w.warped = (*C.int)(C.calloc(1, C.sizeof_int))
	if w.rec = C.dream_rec_open(w.dpy, name, w.opcode, w.lost, w.warped, &w.ctx); w.rec == nil {
		C.free(unsafe.Pointer(w.warped))
		w.warped = nil
		return fmt.Errorf("raw input: display %s: cannot record pointer warps (no RECORD extension?)", w.display)
	}
	return nil
}

// Next waits for raw motion and returns it, summed over every motion event
// already queued (newest wins is wrong for deltas: they add up). It returns
// ErrClosed after Close, and an error when the X server goes away.
func (w *Watcher) Next() (dx, dy float64, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, 0, ErrClosed
	}
	var cdx, cdy C.double
	switch C.dream_xi_next(w.dpy, w.rec, w.warped, w.opcode, C.int(w.r.Fd()), w.lost, &cdx, &cdy) {
	case 1:
		return float64(cdx), float64(cdy), nil
	case 0:
		return 0, 0, ErrClosed
	}
	return 0, 0, fmt.Errorf("raw input: display %s: connection to the X server lost", w.display)
}

// Close wakes a waiting Next and closes the connection.
func (w *Watcher) Close() error {
	w.w.Write([]byte{0})
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if w.rec != nil {
		C.dream_rec_close(w.dpy, w.rec, w.ctx, w.lost)
		C.free(unsafe.Pointer(w.warped))
	}
	C.dream_xi_close(w.dpy, w.lost)
	C.free(unsafe.Pointer(w.lost))
	w.r.Close()
	w.w.Close()
	return nil
}
