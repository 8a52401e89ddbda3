// Package web is dreamcomp's browser viewer: static pages, embedded in the
// binary, that list the tiles and play one over WHEP with the same data
// channels as dreamview (keyboard, mouse, pointer capture, cursor). Plain
// modern JavaScript: nothing is built at run time.
//
// The pages hold no secret: they take the token from the pairing URL's query
// (https://HOST:PORT/?token=…) and send it as Authorization: Bearer with every
// request to the WHEP and /tiles routes, which check it.
package web
