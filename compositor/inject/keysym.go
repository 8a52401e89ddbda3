package inject

//go:generate go run gen_keysyms.go

import "unicode"

// Keysyms this package names.
const (
	noSymbol       = 0
	xkShiftL       = 0xffe1
	xkShiftR       = 0xffe2
	xkReturn       = 0xff0d
	xkTab          = 0xff09
	xkNumLock      = 0xff7f
	xkLevel3Shift  = 0xfe03
	unicodeKeysyms = 0x01000000 // keysym of code point U is unicodeKeysyms|U
)

// keysymRune is the character keysym ks types, if it types one: Latin-1
// keysyms are their code point, 0x01000000+U is U, and legacy keysyms
// (Cyrillic_zhe, EuroSign...) come from keysymdef.h.
func keysymRune(ks uint32) (rune, bool) {
	switch {
	case ks >= 0x20 && ks <= 0x7e, ks >= 0xa0 && ks <= 0xff:
		return rune(ks), true
	case ks >= unicodeKeysyms+0x20 && ks <= unicodeKeysyms+0x10ffff:
		r := rune(ks - unicodeKeysyms)
		return r, !unicode.IsControl(r)
	}
	r, ok := legacyRunes[ks]
	return r, ok
}

// runeKeysym is the keysym Text presses for r: Return for a line break, Tab,
// the code point for Latin-1, the Unicode keysym for the rest (the keymap
// lookup then finds a legacy keysym for the same character, where the map has
// one). It reports false for other control characters.
func runeKeysym(r rune) (uint32, bool) {
	switch {
	case r == '\n' || r == '\r':
		return xkReturn, true
	case r == '\t':
		return xkTab, true
	case unicode.IsControl(r), r < 0, r > unicode.MaxRune:
		return 0, false
	case r < 0x100:
		return uint32(r), true
	}
	return unicodeKeysyms | uint32(r), true
}

// isKeypad is Xlib's IsKeypadKey: NumLock picks between a keypad key's levels.
func isKeypad(ks uint32) bool {
	return ks >= 0xff80 && ks <= 0xffbd || ks >= 0x11000000 && ks <= 0x1100ffff
}

// isCasePair says whether lower and upper are one letter in two cases, the
// keys Caps Lock shifts (XKB's ALPHABETIC type).
func isCasePair(lower, upper uint32) bool {
	l, ok1 := keysymRune(lower)
	u, ok2 := keysymRune(upper)
	return ok1 && ok2 && l != u && unicode.ToUpper(l) == u && unicode.IsLower(l)
}
