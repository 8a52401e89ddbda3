// The tile's picture, as dreamview composes it (viewer/compose): until the
// patch channel speaks, every video frame is the picture; then only its
// messages change it, in the order they come (the desktop's capture order).
// A Patch draws exact pixels; a Video message draws some rectangles of the
// video frame with its RTP timestamp, or a later one, and holds back the
// messages behind it until that frame has been shown. See proto/patch.go
// and internal/patch for the byte layouts.
import { decompress } from "./vendor/fzstd.js";

const T = { patch: 12, video: 13, refresh: 14 };
const ENC = { solid: 0, palette: 1, qoi: 2, jpeg: 3, qoiRaw: 4 };
export const MAX_PIXELS = 1 << 16; // proto.MaxPatchPixels
const MAX_WAIT = 1000; // ms a Video message waits for its frame
const MAX_QUEUE = 4096;

export class Picture {
  // canvas shows the picture; video plays the tile's track; refresh() asks
  // the desktop for the whole tile again.
  constructor(canvas, video, refresh) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { alpha: false });
    this.video = video;
    this.refresh = refresh;
    this.patched = false;
    this.queue = [];
    this.busy = false;
    this.generation = 0;
    this.lastTS = null; // RTP timestamp of the newest frame shown
    this.refreshed = 0;
    this.stats = { updates: 0, patches: 0, patchBytes: 0, videos: 0, dropped: 0, refreshes: 0, composeMs: 0 };
    const onFrame = (now, meta) => {
      this.frame(meta);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  // reset starts again for a new connection: video frames are the picture
  // until its patch channel speaks.
  reset() {
    this.generation++; // a pump awaiting a JPEG drops its message
    this.clock = null;
    this.patched = false;
    this.queue.length = 0;
    this.lastTS = null;
  }

  // setClock takes the desktop's Clock message: its RTP base and wall clock.
  setClock(rtpBase, unixMs) { this.clock = { rtpBase, unixMs }; }

  // frame takes the video frame being shown.
  frame(meta) {
    const w = meta.width || this.video.videoWidth, h = meta.height || this.video.videoHeight;
    if (!w || !h) return;
    this.stats.videos++;
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w; this.canvas.height = h; // clears it: the frame or the patches fill it
      if (this.onresize) this.onresize();
    }
    if (!this.patched) {
      this.ctx.drawImage(this.video, 0, 0, w, h);
      this.stats.updates++;
      return;
    }
    this.lastTS = meta.rtpTimestamp >>> 0;
    this.pump();
  }

  // message takes one message of the patch channel (an ArrayBuffer).
  message(buf) {
    const v = new DataView(buf);
    const type = v.byteLength >= 2 ? v.getUint8(1) : 0;
    if (v.byteLength < 2 || v.getUint8(0) !== 2 || (type !== T.patch && type !== T.video)) {
      return this.drop(`a message of ${v.byteLength} bytes, type ${type}`);
    }
    this.patched = true;
    if (this.queue.length >= MAX_QUEUE) {
      this.queue.length = 0;
      this.drop(`more than ${MAX_QUEUE} messages wait for a video frame`);
    }
    this.queue.push({ v, since: performance.now() });
    this.pump();
  }

  // pump applies the waiting messages in order until one waits for a frame
  // not shown yet. JPEG decodes asynchronously: the queue waits for it.
  async pump() {
    if (this.busy) return;
    this.busy = true;
    const generation = this.generation;
    try {
      while (this.queue.length && this.canvas.width > 1) {
        const it = this.queue[0], v = it.v;
        const t0 = performance.now();
        if (v.getUint8(1) === T.video) {
          if (!this.takeVideo(v)) {
            if (performance.now() - it.since < MAX_WAIT) { this.waitLater(); return; }
            this.drop("a video frame never came");
          }
        } else {
          await this.applyPatch(v);
          if (generation !== this.generation) return; // reset meanwhile: the queue is another's
        }
        this.stats.composeMs += performance.now() - t0;
        this.queue.shift();
      }
    } finally {
      this.busy = false;
    }
  }

  waitLater() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), MAX_WAIT);
  }

  // takeVideo draws a Video message's rectangles from the video element,
  // which shows its frame or a later one; false if it shows an older one.
  takeVideo(v) {
    if (v.byteLength < 13) { this.drop("a short Video message"); return true; }
    const rtp = v.getUint32(7), n = v.getUint16(11);
    if (this.lastTS === null || ((this.lastTS - rtp) | 0) < 0) return false;
    if (v.byteLength !== 13 + 8 * n) { this.drop("a Video message of the wrong length"); return true; }
    const W = this.canvas.width, H = this.canvas.height;
    for (let i = 0; i < n; i++) {
      const o = 13 + 8 * i, x = v.getUint16(o), y = v.getUint16(o + 2), w = v.getUint16(o + 4), h = v.getUint16(o + 6);
      if (!w || !h || x + w > W || y + h > H) { this.drop(`video rectangle ${w}x${h}+${x}+${y} outside the tile`); continue; }
      this.ctx.drawImage(this.video, x, y, w, h, x, y, w, h);
    }
    this.stats.updates++;
    return true;
  }

  async applyPatch(v) {
    if (v.byteLength < 21) return this.drop("a short Patch");
    const last = v.getUint8(6) & 1, stamp = v.getUint32(7);
    const x = v.getUint16(11), y = v.getUint16(13), w = v.getUint16(15), h = v.getUint16(17);
    const enc = v.getUint8(19);
    const data = new Uint8Array(v.buffer, v.byteOffset + 20, v.byteLength - 20);
    if (!w || !h || x + w > this.canvas.width || y + h > this.canvas.height) {
      return this.drop(`patch ${w}x${h}+${x}+${y} outside the ${this.canvas.width}x${this.canvas.height} tile`);
    }
    try {
      const later = drawPatch(this.ctx, enc, data, x, y, w, h);
      if (later) await later;
    } catch (e) {
      return this.drop(`patch ${w}x${h}+${x}+${y}: ${e.message || e}`);
    }
    this.stats.patches++;
    this.stats.patchBytes += data.length;
    if (last) {
      this.stats.updates++;
      if (this.clock) { // capture to shown, when this machine shares the desktop's clock
        const captured = this.clock.unixMs + ((stamp - this.clock.rtpBase) >>> 0) / 90;
        this.stats.latencyMs = Date.now() - captured;
      }
    }
  }

  // drop counts a message that could not be used and asks for the whole
  // tile, at most once a second.
  drop(why) {
    this.stats.dropped++;
    this.stats.lastDrop = why;
    const now = performance.now();
    if (now - this.refreshed >= 1000) {
      this.refreshed = now;
      this.stats.refreshes++;
      this.refresh();
    }
  }
}

// drawPatch decodes one patch's data (encoding enc, w×h) and draws it at x, y
// on ctx.
// It throws if the data does not decode to its rectangle. JPEG decodes
// asynchronously: then it returns a promise, otherwise nothing.
export function drawPatch(ctx, enc, data, x, y, w, h) {
  switch (enc) {
    case ENC.solid:
      if (data.length !== 3) throw new Error("a solid colour of " + data.length + " bytes");
      ctx.fillStyle = `rgb(${data[0]},${data[1]},${data[2]})`;
      ctx.fillRect(x, y, w, h);
      return;
    case ENC.palette:
    case ENC.qoi:
    case ENC.qoiRaw: {
      if (w * h > MAX_PIXELS) throw new Error(`${w}x${h} is more than ${MAX_PIXELS} pixels`);
      const bytes = enc === ENC.qoiRaw ? data : unzstd(data, 1 + 768 + 4 * w * h);
      const img = new ImageData(w, h);
      (enc === ENC.palette ? unpalette : unqoi)(bytes, new Uint32Array(img.data.buffer), w * h);
      ctx.putImageData(img, x, y);
      return;
    }
    case ENC.jpeg:
      return createImageBitmap(new Blob([data], { type: "image/jpeg" })).then((bmp) => {
        if (bmp.width !== w || bmp.height !== h) { bmp.close(); throw new Error(`a ${bmp.width}x${bmp.height} JPEG for ${w}x${h}`); }
        ctx.drawImage(bmp, x, y);
        bmp.close();
      });
  }
  throw new Error("encoding " + enc);
}

// Pixels go into a Uint32Array over RGBA bytes: little-endian, so 0xAABBGGRR.
function rgba(r, g, b) { return (0xff000000 | (b << 16) | (g << 8) | r) >>> 0; }

// unzstd decompresses one zstd frame into at most max bytes: one that says
// it holds more is refused before it costs more. fzstd is fastest when it
// allocates the size the frame gives; a frame that gives none (a small one)
// gets a buffer of max bytes, which bounds what it can cost.
function unzstd(data, max) {
  if (data.length < 6 || data[0] !== 0x28 || data[1] !== 0xb5 || data[2] !== 0x2f || data[3] !== 0xfd) throw new Error("not a zstd frame");
  const fhd = data[4], single = (fhd >> 5) & 1, flag = fhd >> 6;
  const at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3];
  const len = flag === 0 ? single : [0, 2, 4, 8][flag];
  let size = -1;
  if (len === 1) size = data[at];
  else if (len === 2) size = (data[at] | (data[at + 1] << 8)) + 256;
  else if (len === 4) size = (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
  if (at + len > data.length) throw new Error("a zstd frame cut short");
  if (size < 0) return decompress(data, new Uint8Array(max));
  if (size > max) throw new Error(`a zstd frame of ${size} bytes, more than ${max}`);
  return decompress(data);
}

function unpalette(raw, out, n) {
  const count = raw[0] + 1;
  if (raw.length < 1 + 3 * count + n) throw new Error("a palette cut short");
  const pal = new Uint32Array(256);
  for (let i = 0; i < count; i++) pal[i] = rgba(raw[1 + 3 * i], raw[2 + 3 * i], raw[3 + 3 * i]);
  const idx = raw.subarray(1 + 3 * count, 1 + 3 * count + n);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = idx[i];
    bad |= count - 1 - c; // negative once an index is past the palette
    out[i] = pal[c];
  }
  if (bad < 0) throw new Error(`an index past a palette of ${count}`);
}

// unqoi decodes QOI operations for RGB (internal/patch/qoi.go) into n pixels.
function unqoi(ops, out, n) {
  const cr = new Uint8Array(64), cg = new Uint8Array(64), cb = new Uint8Array(64);
  let r = 0, g = 0, b = 0, i = 0, p = 0;
  while (p < n) {
    if (i >= ops.length) throw new Error("QOI operations end early");
    const op = ops[i++];
    if (op === 0xfe || op === 0xff) {
      r = ops[i]; g = ops[i + 1]; b = ops[i + 2]; i += op === 0xfe ? 3 : 4;
    } else if ((op & 0xc0) === 0x00) {
      r = cr[op]; g = cg[op]; b = cb[op];
    } else if ((op & 0xc0) === 0x40) {
      r = (r + ((op >> 4) & 3) - 2) & 255; g = (g + ((op >> 2) & 3) - 2) & 255; b = (b + (op & 3) - 2) & 255;
    } else if ((op & 0xc0) === 0x80) {
      const dg = (op & 63) - 32, rb = ops[i++];
      r = (r + dg + (rb >> 4) - 8) & 255; g = (g + dg) & 255; b = (b + dg + (rb & 15) - 8) & 255;
    } else {
      const run = Math.min((op & 63) + 1, n - p), c = rgba(r, g, b);
      out.fill(c, p, p + run);
      p += run;
      continue;
    }
    const h = (r * 3 + g * 5 + b * 7 + 53) & 63;
    cr[h] = r; cg[h] = g; cb[h] = b;
    out[p++] = rgba(r, g, b);
  }
}
