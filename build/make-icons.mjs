// Draws the app's icons as PNGs, from the shapes of renderer/src/icon.svg (three lines in a rounded
// square). Run: node build/make-icons.mjs
//
// - build/icon.png (1024 px; macOS .icns and Windows .ico are made from it at packaging time) and
//   build/icons/<size>x<size>.png for Linux.
// - build/tray/: the tray icon in three states (normal; unread: a blue dot; mention: a red dot), each
//   for light panels (a dark glyph) and dark panels (a light one), at 16 px with an @2x of 32 px
//   (Windows, macOS; Electron picks the @2x on high-density screens) and at 24 px for Linux panels;
//   macOS's normal state as a template image (black and alpha; the menu bar colours it itself); and
//   Windows' taskbar overlays (16 px dots) for unread and mention.
import fs from 'node:fs';
import zlib from 'node:zlib';

const BLUE = [0x2f, 0x5b, 0xd3];
const WHITE = [0xff, 0xff, 0xff];
// In the SVG's 32-unit box: the square's corner radius, and the three strokes (3 wide, round caps).
const RADIUS = 7;
const LINES = [
  [9, 11, 23],
  [9, 16, 18],
  [9, 21, 21],
];

function inSquare(x, y) {
  const cx = Math.min(Math.max(x, RADIUS), 32 - RADIUS);
  const cy = Math.min(Math.max(y, RADIUS), 32 - RADIUS);
  return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS ** 2;
}

/** Round-capped strokes `[x1, y, x2]`, `width` units wide. */
function strokes(list, width) {
  return (x, y) =>
    list.some(([x1, ly, x2]) => {
      const cx = Math.min(Math.max(x, x1), x2);
      return (x - cx) ** 2 + (y - ly) ** 2 <= (width / 2) ** 2;
    });
}

const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r ** 2;

/**
 * Rasterises layers (the last on top) in a 32-unit box at `size` pixels, 4×4 samples per pixel. A
 * layer whose colour is null clears what is under it (the ring that sets a dot apart).
 */
function paint(size, layers) {
  const samples = 4;
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0];
      let covered = 0;
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 32;
          const y = ((py + (sy + 0.5) / samples) / size) * 32;
          const top = layers.findLast((layer) => layer.inside(x, y));
          if (!top || top.color === null) continue;
          covered++;
          for (let c = 0; c < 3; c++) sum[c] += top.color[c];
        }
      // Where nothing covers the pixel it is transparent, in the bottom layer's colour.
      const empty = layers[0].color ?? [0, 0, 0];
      for (let c = 0; c < 3; c++) row[1 + px * 4 + c] = covered ? Math.round(sum[c] / covered) : empty[c];
      row[1 + px * 4 + 3] = Math.round((covered / samples ** 2) * 255);
    }
    rows.push(row);
  }
  return png(size, Buffer.concat(rows));
}

function crc32(buffer) {
  let crc = -1;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ -1) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size, raw) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const appIcon = (size) =>
  paint(size, [
    { inside: inSquare, color: BLUE },
    { inside: strokes(LINES, 3), color: WHITE },
  ]);

// The tray glyph: the icon's three strokes, bolder and filling the box; a state adds a dot at the
// top right, set apart from the strokes by a clear ring.
const TRAY_GLYPH = strokes(
  [
    [5, 8, 21],
    [5, 16, 15],
    [5, 24, 19],
  ],
  4.5,
);
const DOT = circle(25.5, 7, 6);
const RING = circle(25.5, 7, 9);
const GLYPH = { 'on-light': [0x1f, 0x23, 0x28], 'on-dark': [0xff, 0xff, 0xff] };
const DOTS = {
  unread: { 'on-light': [0x2f, 0x5b, 0xd3], 'on-dark': [0x7a, 0x9c, 0xff] },
  mention: { 'on-light': [0xd9, 0x30, 0x25], 'on-dark': [0xff, 0x6b, 0x5e] },
};

function trayIcon(size, state, variant) {
  const layers = [{ inside: TRAY_GLYPH, color: GLYPH[variant] }];
  if (state !== 'normal')
    layers.push({ inside: RING, color: null }, { inside: DOT, color: DOTS[state][variant] });
  return paint(size, layers);
}

const overlay = (color) =>
  paint(16, [
    { inside: circle(16, 16, 13), color: WHITE },
    { inside: circle(16, 16, 10.5), color },
  ]);

const dir = new URL('.', import.meta.url);
const write = (name, data) => fs.writeFileSync(new URL(name, dir), data);

write('icon.png', appIcon(1024));
for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) write(`icons/${size}x${size}.png`, appIcon(size));

fs.mkdirSync(new URL('tray/', dir), { recursive: true });
for (const state of ['normal', 'unread', 'mention'])
  for (const variant of ['on-light', 'on-dark']) {
    write(`tray/tray-${state}-${variant}.png`, trayIcon(16, state, variant));
    write(`tray/tray-${state}-${variant}@2x.png`, trayIcon(32, state, variant));
    write(`tray/tray-${state}-${variant}-24.png`, trayIcon(24, state, variant));
  }
write('tray/trayTemplate.png', paint(16, [{ inside: TRAY_GLYPH, color: [0, 0, 0] }]));
write('tray/trayTemplate@2x.png', paint(32, [{ inside: TRAY_GLYPH, color: [0, 0, 0] }]));
write('tray/overlay-unread.png', overlay(DOTS.unread['on-light']));
write('tray/overlay-mention.png', overlay(DOTS.mention['on-light']));
