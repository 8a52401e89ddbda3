// Package player decodes a tile's frames and hands each picture to a sink, keeping
// the counters that dreamview --stats prints.
package player
