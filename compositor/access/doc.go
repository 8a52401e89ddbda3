// Package access keeps dreamcomp's secrets and checks them: the control token
// (watch and type), the view-only token (watch), and the TLS certificate whose
// SHA-256 fingerprint viewers pin. They are made on first start, kept in a
// directory of the user's (files of mode 0600), and reused.
//
// Guard checks each request's "Authorization: Bearer TOKEN", and refuses an
// address that keeps guessing.
package access
