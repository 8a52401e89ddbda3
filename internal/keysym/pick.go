package keysym

import "unicode"

// Pick chooses the keysym a key produces from its row of the core keyboard
// mapping, as X clients do. An XKB server lays the row out as group 1 levels 1
// and 2, group 2 levels 1 and 2, then group 1 levels 3 and 4 (AltGr).
func Pick(row []uint32, shift, level3, caps bool) uint32 {
	get := func(i int) uint32 {
		if i < len(row) {
			return row[i]
		}
		return 0
	}
	base := 0
	if level3 {
		switch {
		case get(4) != 0 || get(5) != 0:
			base = 4
		case get(2) != 0 || get(3) != 0: // Mode_switch layouts
			base = 2
		}
	}
	lower, upper := get(base), get(base+1)
	if upper == 0 {
		lower, upper = convertCase(lower)
	}
	if lower == 0 {
		lower = upper
	}
	if caps && lower != upper && isLetter(lower) {
		shift = !shift
	}
	if shift {
		return upper
	}
	return lower
}

// convertCase returns the lower- and upper-case keysyms of sym (both sym when it
// has no case), for ASCII, Latin-1 and Unicode keysyms.
func convertCase(sym uint32) (lower, upper uint32) {
	switch {
	case sym >= 'a' && sym <= 'z':
		return sym, sym - 'a' + 'A'
	case sym >= 'A' && sym <= 'Z':
		return sym + 'a' - 'A', sym
	case sym >= 0xe0 && sym <= 0xfe && sym != 0xf7:
		return sym, sym - 0x20
	case sym >= 0xc0 && sym <= 0xde && sym != 0xd7:
		return sym + 0x20, sym
	case sym&0xff000000 == 0x01000000:
		r := rune(sym & 0xffffff)
		return 0x01000000 | uint32(unicode.ToLower(r)), 0x01000000 | uint32(unicode.ToUpper(r))
	}
	return sym, sym
}

func isLetter(sym uint32) bool {
	l, u := convertCase(sym)
	return l != u
}
