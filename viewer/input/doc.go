// Package input forwards a viewer window's keyboard and mouse to dreamcomp.
//
// Keys go as X keysyms, looked up in the viewer's own keymap (so an AZERTY or
// QWERTZ laptop sends what its keys say), with the physical keycode beside them;
// modifiers go as keys of their own. Keys, buttons, wheel and focus loss travel
// on the reliable channel; pointer motion, in tile pixels, on the lossy one.
// When the window loses focus, everything the viewer held is released.
package input
