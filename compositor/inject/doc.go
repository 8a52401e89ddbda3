// Package inject applies viewers' keyboard and mouse input to an X display
// with the XTEST extension: the input end of dreamcomp.
//
//	in, err := inject.Open(inject.Config{Display: ":7", Log: log})
//	defer in.Close() // releases what is still down, unbinds spare keycodes
//	c := in.NewClient() // one per viewer
//	defer c.ReleaseAll() // on focus loss and on disconnect
//	c.Move(100, 200)           // root coordinates, clamped to the screen
//	c.Key(0xffe1, true)        // Shift_L down
//	c.Key('W', true)           // keysyms, as the viewer's layout gives them
//	c.Key('W', false)
//	c.Key(0xffe1, false)
//	c.Button(1, true)          // X buttons 1..9
//	c.Wheel(0, 120)            // one notch down: a click of button 5
//	c.Text("héllo €")          // an input method's result
//
// # Keys
//
// Viewers send keysyms, not keycodes: the viewer's layout has already turned
// the physical key into a symbol, and the server's layout may differ. A
// press looks the keysym up in the server's core keymap (read at Open, read
// again after another client changes it), at levels 1 to 4 of group 1: plain,
// Shift, level 3 (AltGr, ISO_Level3_Shift) and level 3 with Shift. A keysym
// that types the same character as one in the map counts as found
// (EuroSign 0x20ac and the Unicode keysym 0x10020ac, Cyrillic_zhe and
// U+0436; the table comes from keysymdef.h, see gen_keysyms.go).
//
// Modifiers. Viewers send their modifier keys as keys too. The Injector
// tracks which keys its clients hold (not the server's state: it cannot
// release what a real keyboard holds), and before pressing a key it works
// out which keysym the server would produce with those modifiers, plus
// Caps Lock and Num Lock read from the server (QueryPointer's mask, one
// round trip, only for keys whose symbol depends on the state). If that is
// not the keysym asked for (an AZERTY viewer holds Shift and sends "1"; a
// viewer sends "A" with no Shift held; a German viewer holds AltGr and sends
// "@", which the US map has on Shift+2) it releases or presses Shift and
// level 3 for the press. The change stays while that key is down, because the
// server autorepeats the last key pressed with the modifiers then in force:
// holding the AZERTY "1" repeats "1", not "!". The key's release, the next
// press, a modifier key, a button or the wheel puts the modifiers back to
// what the clients hold (applications see the extra Shift presses and
// releases). Shift or level 3 held by someone else (a real keyboard) can't
// be undone, so then a spare keycode is used (below). Other modifiers
// (Control, Alt, Super) are left alone: Ctrl+C stays Ctrl+C. Group 2 (the
// core Mode_switch) is not used: with one-group layouts it only repeats
// group 1.
//
// Spare keycodes. A keysym the keymap lacks (é, € or ß on a US map) is bound with ChangeKeyboardMapping to a keycode that
// has no symbols (up to 32, the highest free ones, kept in LRU order), at
// every level, so the modifier state doesn't matter, and then pressed. The
// binding stays until the spare is needed for another keysym, so text with
// repeated accents costs one rebind per character kind. Close sets them
// back to NoSymbol. Xlib clients refresh their keymap lazily: MappingNotify
// only marks it stale and the next key lookup fetches it. The first press
// after a rebind therefore arrives as the new symbol (the notify reaches the
// client before the key event), but a spare rebound again before the client
// has read the earlier key event types the newer symbol (xdotool has this
// race when it resets its scratch keycode right after typing). So a spare
// is not rebound within 200 ms of its last use: a burst of more distinct
// missing characters than there are spares (19 on Xvfb's default map) slows
// to one round of spares every 200 ms.
//
// Holds. Each Client remembers the keycode each keysym's press went to; the
// release goes there even if the keymap changed in between. A second press
// of a held keysym is dropped, since the server autorepeats held keys itself
// (a press of a key already down is a repeat to the server, and a dropped
// one keeps the server's rate); a release of a keysym not held is dropped.
// Keys and buttons are counted per client: when two clients hold the same
// key, the server sees one press, and the release when the last one lets go.
// ReleaseAll releases what its client holds, the latest pressed first, so
// nothing stays pressed (and autorepeating) when a viewer goes away.
//
// # Pointer
//
// Move sends absolute XTEST motion, clamped to the screen as it was at Open.
// Button takes X buttons 1 to 9 (1 left, 2 middle, 3 right, 4-7 the wheel,
// 8 back, 9 forward). Wheel takes 1/120ths of a notch, as browsers and
// GLFW report them, clicks buttons 4/5 (up/down) and 6/7 (left/right) for
// each whole notch, and keeps the fraction for the next call until the
// direction turns.
//
// # Errors and the X connection
//
// Keysym 0, button 0 or above 9, and text with control characters (other
// than newline and tab) or invalid UTF-8 are ErrBadInput, returned before
// anything is sent. Every call that sends something ends with a round trip
// (GetInputFocus), so the input has reached the server when it returns and
// a lost server shows up as an error naming the display. No wait on the
// server is longer than 5 s (ErrTimeout: a stopped server, or one grabbed by
// another client). A goroutine drains X events from the moment of
// connecting: xgb stops delivering replies when its event queue fills.
//
// All methods of an Injector and its Clients are safe for concurrent use; one
// mutex per Injector serialises them.
package inject
