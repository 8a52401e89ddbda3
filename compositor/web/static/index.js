import { token, tiles } from "./common.js";

const status = document.getElementById("status");
const list = document.getElementById("tiles");
try {
  const all = await tiles(token());
  status.textContent = `${all.length} tiles. Pick the one for this screen:`;
  for (const t of all) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = `/view/${t.tile}`;
    a.textContent = `Tile ${t.tile}`;
    li.append(a, ` — ${t.width}×${t.height}, ${t.codec}, ${t.viewers} viewing`);
    list.append(li);
  }
} catch (e) {
  status.textContent = `Cannot list the tiles: ${e.message}. Open the pairing URL that dreamcomp prints.`;
}
