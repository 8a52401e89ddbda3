// Package keysym holds what dream knows of X keysyms: the character a keysym
// types and back (Rune, FromRune, from keysymdef.h), which keysym a key gives
// with the modifiers held (Pick), and an X server's keyboard map that follows
// changes (XMap).
package keysym

//go:generate go run gen_table.go

import "unicode"

// Keysyms named by dream's packages.
const (
	ShiftL      = 0xffe1
	ShiftR      = 0xffe2
	Return      = 0xff0d
	Tab         = 0xff09
	NumLock     = 0xff7f
	Level3Shift = 0xfe03
	UnicodeBase = 0x01000000 // the keysym of code point U is UnicodeBase|U
)

// Rune is the character keysym ks types, if it types one: Latin-1 keysyms are
// their code point, 0x01000000+U is U, and legacy keysyms (Cyrillic_zhe,
// EuroSign...) come from keysymdef.h.
func Rune(ks uint32) (rune, bool) {
	switch {
	case ks >= 0x20 && ks <= 0x7e, ks >= 0xa0 && ks <= 0xff:
		return rune(ks), true
	case ks >= UnicodeBase+0x20 && ks <= UnicodeBase+0x10ffff:
		r := rune(ks - UnicodeBase)
		return r, !unicode.IsControl(r)
	}
	r, ok := legacyRunes[ks]
	return r, ok
}

// FromRune is the keysym that types r: Return for a line break, Tab, the code
// point for Latin-1, the Unicode keysym for the rest (a keymap lookup then finds
// a legacy keysym for the same character, where the map has one). It reports
// false for other control characters.
func FromRune(r rune) (uint32, bool) {
	switch {
	case r == '\n' || r == '\r':
		return Return, true
	case r == '\t':
		return Tab, true
	case unicode.IsControl(r), r < 0, r > unicode.MaxRune:
		return 0, false
	case r < 0x100:
		return uint32(r), true
	}
	return UnicodeBase | uint32(r), true
}

// IsKeypad is Xlib's IsKeypadKey: NumLock picks between a keypad key's levels.
func IsKeypad(ks uint32) bool {
	return ks >= 0xff80 && ks <= 0xffbd || ks >= 0x11000000 && ks <= 0x1100ffff
}

// IsCasePair says whether lower and upper are one letter in two cases, the
// keys Caps Lock shifts (XKB's ALPHABETIC type).
func IsCasePair(lower, upper uint32) bool {
	l, ok1 := Rune(lower)
	u, ok2 := Rune(upper)
	return ok1 && ok2 && l != u && unicode.ToUpper(l) == u && unicode.IsLower(l)
}
