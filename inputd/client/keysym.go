package client

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
