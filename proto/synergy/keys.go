package synergy

import "dream/internal/keysym"

// Keysym maps a Synergy key ID to an X keysym: IDs 0xE000 to 0xEFFF are X
// keysyms 0xF000 to 0xFFFF (Return 0xEF0D is 0xFF0D), combining diacritics are
// dead keys, and other IDs are Unicode code points (Latin-1 keysyms equal
// their code point; others are 0x01000000 plus it). 0 means no key.
func Keysym(id uint16) uint32 {
	switch {
	case id == 0:
		return 0
	case id >= 0xe000 && id <= 0xefff:
		return uint32(id) + 0x1000
	case id >= 0x0300 && id <= 0x036f:
		if sym, ok := deadKeys[id]; ok {
			return sym
		}
	case id < 0x20 || id == 0x7f:
		return 0 // control characters come as keys (0xEFxx)
	case id < 0x100:
		return uint32(id)
	}
	return 0x01000000 | uint32(id)
}

// deadKeys maps Synergy's dead keys (combining characters) to X's dead keysyms.
var deadKeys = map[uint16]uint32{
	0x0300: 0xfe50, // grave
	0x0301: 0xfe51, // acute
	0x0302: 0xfe52, // circumflex
	0x0303: 0xfe53, // tilde
	0x0304: 0xfe54, // macron
	0x0306: 0xfe55, // breve
	0x0307: 0xfe56, // abovedot
	0x0308: 0xfe57, // diaeresis
	0x030a: 0xfe58, // abovering
	0x030b: 0xfe59, // doubleacute
	0x030c: 0xfe5a, // caron
	0x0327: 0xfe5b, // cedilla
	0x0328: 0xfe5c, // ogonek
}

// KeyID is the Synergy key ID of X keysym ks, the inverse of Keysym: X's
// function keysyms 0xF000 to 0xFFFF are 0xE000 to 0xEFFF, dead keys are
// combining characters, and keysyms that type a character are its code point.
// 0 means Synergy has no ID for it.
func KeyID(ks uint32) uint16 {
	switch {
	case ks >= 0xf000 && ks <= 0xffff:
		if ks >= 0xfe50 && ks <= 0xfe5c {
			for id, sym := range deadKeys {
				if sym == ks {
					return id
				}
			}
		}
		return uint16(ks - 0x1000)
	}
	if r, ok := keysym.Rune(ks); ok && r <= 0xffff && (r < 0xe000 || r > 0xefff) {
		return uint16(r)
	}
	return 0
}

// Modifier mask bits, as in DKDN and CINN.
const (
	MaskShift      = 0x0001
	MaskControl    = 0x0002
	MaskAlt        = 0x0004
	MaskMeta       = 0x0008
	MaskSuper      = 0x0010
	MaskAltGr      = 0x0020
	MaskCapsLock   = 0x1000
	MaskNumLock    = 0x2000
	MaskScrollLock = 0x4000
)

// MaskFromX converts an X event's modifier state to Synergy's mask, with X's
// usual modifier map (Mod1 Alt, Mod2 Num Lock, Mod4 Super, Mod5 AltGr).
func MaskFromX(state uint16) int {
	var m int
	for _, b := range []struct {
		x    uint16
		mask int
	}{
		{1 << 0, MaskShift}, {1 << 1, MaskCapsLock}, {1 << 2, MaskControl}, {1 << 3, MaskAlt},
		{1 << 4, MaskNumLock}, {1 << 6, MaskSuper}, {1 << 7, MaskAltGr},
	} {
		if state&b.x != 0 {
			m |= b.mask
		}
	}
	return m
}
