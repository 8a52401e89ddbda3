// The token comes with the pairing URL (?token=…); it is kept for this tab
// only, and taken out of the address bar.
export function token() {
  const q = new URLSearchParams(location.search);
  const t = q.get("token");
  if (t) {
    sessionStorage.setItem("dream-token", t);
    q.delete("token");
    q.delete("fp");
    history.replaceState(null, "", location.pathname + (q.size ? "?" + q : ""));
  }
  return sessionStorage.getItem("dream-token") || "";
}

export async function tiles(tok) {
  const r = await fetch("/tiles", { headers: { Authorization: "Bearer " + tok } });
  if (!r.ok) throw new Error(`${r.status} ${(await r.text()).trim()}`);
  return r.json();
}
