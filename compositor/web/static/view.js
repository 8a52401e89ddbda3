// Plays one tile over WHEP and sends the keyboard and mouse back on the data
// channels dreamview uses (see proto/message.go for the byte layouts).
import { token } from "./common.js";
import { decompress } from "./vendor/fzstd.js";
import { Picture } from "./compose.js";

const VERSION = 1; // of the input and control channels' messages
const T = { key: 1, button: 2, wheel: 3, motion: 4, releaseAll: 6, cursorPos: 7, cursor: 8, moveBy: 9, jump: 10, clock: 11 };

const tile = Number(location.pathname.split("/").pop());
const tok = token();
const video = document.getElementById("video");
const shown = document.getElementById("picture");
const canvas = document.getElementById("cursor");
const status = document.getElementById("status");
document.title = `dream tile ${tile}`;

// What tests and curious users read: window.dream.
const dream = (window.dream = { tile, connected: false, connections: 0, framesDecoded: 0, width: 0, height: 0, errors: [] });

function msg(type, size) {
  const b = new DataView(new ArrayBuffer(2 + size));
  b.setUint8(0, VERSION);
  b.setUint8(1, type);
  return b;
}

let pc, input, motion, patch, session, retry = 0, seq = 0;

// The picture: video frames and the patch channel's exact pixels.
const pic = new Picture(shown, video, () => {
  if (patch && patch.readyState === "open") patch.send(new Uint8Array([2, 14])); // Refresh
});
dream.picture = pic.stats;

function say(text, trouble) {
  status.textContent = text;
  document.body.classList.toggle("trouble", !!trouble);
}

// A browser on the server machine itself (a loopback address) offers loopback
// candidates only to a page that has been granted media once (Chromium,
// started with --allow-loopback-in-peer-connection): ask, and let go at once.
let probed = false;
async function probeLoopback() {
  if (probed || !["127.0.0.1", "localhost", "[::1]"].includes(location.hostname) || !navigator.mediaDevices) return;
  probed = true;
  try {
    const s = await navigator.mediaDevices.getUserMedia({ video: true });
    s.getTracks().forEach((t) => t.stop());
  } catch { /* refused: other candidates may still do */ }
}

async function connect() {
  say(`Connecting to tile ${tile}…`);
  await probeLoopback();
  pc = new RTCPeerConnection();
  const tr = pc.addTransceiver("video", { direction: "recvonly" });
  // The lowest latency the browser offers: no jitter buffer to speak of.
  if ("jitterBufferTarget" in tr.receiver) tr.receiver.jitterBufferTarget = 0;
  if ("playoutDelayHint" in tr.receiver) tr.receiver.playoutDelayHint = 0;
  const control = pc.createDataChannel("control");
  input = pc.createDataChannel("input");
  motion = pc.createDataChannel("motion", { ordered: false, maxRetransmits: 0 });
  for (const dc of [control, motion]) {
    dc.binaryType = "arraybuffer";
    dc.onmessage = (e) => fromDesktop(new DataView(e.data));
  }
  pic.reset();
  patch = pc.createDataChannel("patch");
  patch.binaryType = "arraybuffer";
  patch.onmessage = (e) => { if (e.data.byteLength > 0) pic.message(e.data); }; // empty: the server's probe
  pc.ontrack = (e) => { video.srcObject = e.streams[0] || new MediaStream([e.track]); };
  let lost;
  pc.onconnectionstatechange = () => {
    dream.connected = pc.connectionState === "connected";
    clearTimeout(lost);
    if (dream.connected) { retry = 0; dream.connections++; say(`Tile ${tile}`); }
    if (pc.connectionState === "failed" || pc.connectionState === "closed") again("the connection was lost");
    // Disconnected for 2 s: the server went away (restarting, say); start again.
    if (pc.connectionState === "disconnected") lost = setTimeout(() => again("the server stopped answering"), 2000);
  };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((done) => {
    if (pc.iceGatheringState === "complete") return done();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && done();
    setTimeout(done, 2000);
  });
  const r = await fetch(`/whep/${tile}`, {
    method: "POST",
    headers: { "Content-Type": "application/sdp", Authorization: "Bearer " + tok },
    body: pc.localDescription.sdp,
  });
  const body = await r.text();
  if (r.status !== 201) throw new Error(`${r.status}: ${body.trim()}`);
  session = r.headers.get("Location");
  await pc.setRemoteDescription({ type: "answer", sdp: body });
}

// again reconnects after a pause that grows to 5 s (the server restarted, say).
function again(why) {
  if (pc) { pc.onconnectionstatechange = null; pc.close(); }
  dream.connected = false;
  const wait = Math.min(5000, 500 * 2 ** retry++);
  say(`Tile ${tile}: ${why}; trying again in ${(wait / 1000).toFixed(1)} s`, true);
  dream.errors.push(why);
  setTimeout(() => connect().catch((e) => again(e.message)), wait);
}

connect().catch((e) => again(e.message));
addEventListener("pagehide", () => {
  if (session) fetch(session, { method: "DELETE", headers: { Authorization: "Bearer " + tok }, keepalive: true });
});

// Statistics, from the browser's own counters.
setInterval(async () => {
  if (!pc) return;
  // Ready for input: the channel is open and the picture has its size.
  dream.ready = dream.connected && input.readyState === "open" && video.videoWidth > 0 && shown.width > 1;
  for (const s of (await pc.getStats()).values()) {
    if (s.type === "inbound-rtp" && s.kind === "video") {
      dream.framesDecoded = s.framesDecoded || 0;
      dream.width = s.frameWidth || 0;
      dream.height = s.frameHeight || 0;
      dream.codec = s.codecId;
    }
  }
}, 250);

// The desktop's cursor: its image (zstd) and its place.
let cursor = null;
async function fromDesktop(v) {
  if (v.byteLength < 2 || v.getUint8(0) !== VERSION) return;
  switch (v.getUint8(1)) {
    case T.clock: {
      if (v.byteLength < 14) return;
      pic.setClock(v.getUint32(2), Number(v.getBigInt64(6) / 1000000n));
      break;
    }
    case T.cursorPos: {
      if (v.byteLength < 11) return;
      const x = v.getInt16(6), y = v.getInt16(8), shown = v.getUint8(10) === 1;
      drawCursor(x, y, shown);
      break;
    }
    case T.cursor: {
      if (v.byteLength < 14) return;
      const w = v.getUint16(6), h = v.getUint16(8), hx = v.getUint16(10), hy = v.getUint16(12);
      try {
        const raw = decompress(new Uint8Array(v.buffer, v.byteOffset + 14));
        const px = new Uint8ClampedArray(raw.buffer, raw.byteOffset, raw.length);
        if (px.length !== w * h * 4) throw new Error(`cursor image of ${px.length} bytes for ${w}x${h}`);
        for (let i = 0; i < px.length; i += 4) { // premultiplied → straight alpha
          const a = px[i + 3];
          if (a > 0 && a < 255) for (let c = 0; c < 3; c++) px[i + c] = Math.min(255, (px[i + c] * 255) / a);
        }
        cursor = { image: new ImageData(px, w, h), hx, hy };
      } catch (e) { cursor = null; dream.errors.push(`cursor: ${e.message}`); } // an arrow stands in
      if (lastPos) drawCursor(...lastPos);
      break;
    }
  }
}

function picture() { // where the tile's pixels are on the page (object-fit: contain)
  const r = shown.getBoundingClientRect(), vw = shown.width || dream.width || 1, vh = shown.height || dream.height || 1;
  const scale = Math.min(r.width / vw, r.height / vh);
  return { x: r.left + (r.width - vw * scale) / 2, y: r.top + (r.height - vh * scale) / 2, scale, vw, vh };
}

// The page draws the desktop's cursor while it is on this tile, unless the
// browser's own pointer is over the picture (then it is that pointer).
let hovering = false, lastPos = null;
shown.addEventListener("mouseenter", () => { hovering = true; if (lastPos) drawCursor(...lastPos); });
shown.addEventListener("mouseleave", () => { hovering = false; if (lastPos) drawCursor(...lastPos); });
document.addEventListener("pointerlockchange", () => { if (lastPos) drawCursor(...lastPos); });
pic.onresize = () => { if (lastPos) drawCursor(...lastPos); }; // the picture's size is known now

function drawCursor(x, y, shown) {
  lastPos = [x, y, shown];
  const p = picture();
  const mine = hovering && document.pointerLockElement !== shown;
  const on = shown && !mine && x >= 0 && y >= 0 && x < p.vw && y < p.vh;
  dream.cursor = on ? { x, y, image: !!cursor } : null;
  canvas.style.display = on ? "block" : "none";
  if (!on) return;
  const ctx = canvas.getContext("2d");
  if (cursor) {
    canvas.width = cursor.image.width; canvas.height = cursor.image.height;
    ctx.putImageData(cursor.image, 0, 0);
    canvas.style.transform = `translate(${p.x + (x - cursor.hx) * p.scale}px, ${p.y + (y - cursor.hy) * p.scale}px) scale(${p.scale})`;
  } else {
    canvas.width = 12; canvas.height = 18;
    ctx.fillStyle = "#fff"; ctx.strokeStyle = "#000";
    ctx.beginPath(); ctx.moveTo(0, 0); ctx.lineTo(0, 16); ctx.lineTo(4, 12); ctx.lineTo(8, 18); ctx.lineTo(10, 17); ctx.lineTo(6, 11); ctx.lineTo(11, 11); ctx.closePath();
    ctx.fill(); ctx.stroke();
    canvas.style.transform = `translate(${p.x + x * p.scale}px, ${p.y + y * p.scale}px)`;
  }
  canvas.style.transformOrigin = "0 0";
}

// Keyboard: keysyms from the browser's layout-aware key values.
const named = {
  Enter: 0xff0d, Backspace: 0xff08, Tab: 0xff09, Escape: 0xff1b, Delete: 0xffff, Insert: 0xff63,
  Home: 0xff50, End: 0xff57, PageUp: 0xff55, PageDown: 0xff56,
  ArrowLeft: 0xff51, ArrowUp: 0xff52, ArrowRight: 0xff53, ArrowDown: 0xff54,
  CapsLock: 0xffe5, NumLock: 0xff7f, ScrollLock: 0xff14, Pause: 0xff13, PrintScreen: 0xff61, ContextMenu: 0xff67,
  AltGraph: 0xfe03, " ": 0x20,
};
const modifiers = { ShiftLeft: 0xffe1, ShiftRight: 0xffe2, ControlLeft: 0xffe3, ControlRight: 0xffe4,
  AltLeft: 0xffe9, AltRight: 0xfe03, MetaLeft: 0xffeb, MetaRight: 0xffec };
const dead = { "`": 0xfe50, "´": 0xfe51, "^": 0xfe52, "~": 0xfe53, "¨": 0xfe57 };

function keysym(e) {
  if (modifiers[e.code]) return modifiers[e.code];
  if (named[e.key]) return named[e.key];
  if (/^F([1-9]|1[0-9]|2[0-4])$/.test(e.key)) return 0xffbd + Number(e.key.slice(1));
  if (e.key === "Dead") return dead[e.key] || 0;
  const cp = e.key.codePointAt(0);
  if ([...e.key].length !== 1) return 0;
  return cp < 0x100 ? cp : 0x01000000 | cp;
}

const held = new Map(); // event.code → keysym pressed
function sendKey(down, sym) {
  const m = msg(T.key, 7);
  m.setUint8(2, down ? 1 : 0); m.setUint32(3, sym); m.setUint16(7, 0);
  send(input, m);
}
function send(dc, m) { if (dc && dc.readyState === "open") dc.send(m.buffer); }

// Hotkeys, as dreamview's: Ctrl+Alt+Shift+C captures the pointer,
// Ctrl+Alt+Right/Left jump to the next/previous tile. They stay here.
function hotkey(e) {
  if (!e.ctrlKey || !e.altKey) return false;
  if (e.shiftKey && e.code === "KeyC") {
    if (document.pointerLockElement) document.exitPointerLock(); else shown.requestPointerLock();
    return true;
  }
  if (!e.shiftKey && (e.code === "ArrowRight" || e.code === "ArrowLeft")) {
    const m = msg(T.jump, 1); m.setInt8(2, e.code === "ArrowRight" ? 1 : -1); send(input, m);
    return true;
  }
  return false;
}

addEventListener("keydown", (e) => {
  e.preventDefault();
  if (hotkey(e) || e.repeat && held.has(e.code)) return;
  const sym = keysym(e);
  if (!sym) return;
  held.set(e.code, sym);
  sendKey(true, sym);
});
addEventListener("keyup", (e) => {
  e.preventDefault();
  const sym = held.get(e.code);
  if (sym === undefined) return;
  held.delete(e.code);
  sendKey(false, sym);
});
function releaseAll() { held.clear(); send(input, msg(T.releaseAll, 0)); }
addEventListener("blur", releaseAll);
document.addEventListener("visibilitychange", () => document.hidden && releaseAll());

// Mouse: the place on the tile (motion channel, newest wins), re-sent on the
// ordered channel before a click; captured, relative motion (MoveBy).
function place(e, dc) {
  const p = picture();
  const x = Math.round((e.clientX - p.x) / p.scale), y = Math.round((e.clientY - p.y) / p.scale);
  if (x < 0 || y < 0 || x >= p.vw || y >= p.vh) return false;
  const m = msg(T.motion, 8);
  m.setUint32(2, ++seq); m.setUint16(6, x); m.setUint16(8, y);
  send(dc, m);
  return true;
}
shown.addEventListener("mousemove", (e) => {
  if (document.pointerLockElement === shown) {
    const m = msg(T.moveBy, 4); m.setInt16(2, e.movementX); m.setInt16(4, e.movementY); send(input, m);
  } else place(e, motion);
});
const xButton = [1, 2, 3, 8, 9];
for (const [type, down] of [["mousedown", true], ["mouseup", false]]) {
  shown.addEventListener(type, (e) => {
    e.preventDefault();
    if (document.pointerLockElement !== shown && !place(e, input)) return;
    const m = msg(T.button, 2); m.setUint8(2, down ? 1 : 0); m.setUint8(3, xButton[e.button] || 1);
    send(input, m);
  });
}
shown.addEventListener("contextmenu", (e) => e.preventDefault());
shown.addEventListener("wheel", (e) => {
  e.preventDefault();
  const unit = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 800 : 1; // lines, pages → pixels
  const px = (d) => Math.max(-32767, Math.min(32767, Math.round(d * unit * 1.2))); // 100 px ≈ a notch of 120
  const m = msg(T.wheel, 4); m.setInt16(2, px(e.deltaX)); m.setInt16(4, px(e.deltaY));
  send(input, m);
}, { passive: false });

document.getElementById("fullscreen").addEventListener("click", () => document.documentElement.requestFullscreen());
