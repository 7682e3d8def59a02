// Draws the app icon (renderer/src/icon.svg: a blue rounded square with three white lines) as PNGs
// for electron-builder: build/icon.png (1024 px; macOS .icns and Windows .ico are made from it at
// packaging time) and build/icons/<size>x<size>.png for Linux. Run: node build/make-icons.mjs
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

function onLine(x, y) {
  return LINES.some(([x1, ly, x2]) => {
    const cx = Math.min(Math.max(x, x1), x2);
    return (x - cx) ** 2 + (y - ly) ** 2 <= 1.5 ** 2;
  });
}

function render(size) {
  const samples = 4;
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let px = 0; px < size; px++) {
      let square = 0;
      let line = 0;
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 32;
          const y = ((py + (sy + 0.5) / samples) / size) * 32;
          if (!inSquare(x, y)) continue;
          if (onLine(x, y)) line++;
          else square++;
        }
      const n = samples * samples;
      const alpha = (square + line) / n;
      const mix = square + line > 0 ? line / (square + line) : 0;
      for (let c = 0; c < 3; c++) row[1 + px * 4 + c] = Math.round(BLUE[c] * (1 - mix) + WHITE[c] * mix);
      row[1 + px * 4 + 3] = Math.round(alpha * 255);
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

const dir = new URL('.', import.meta.url);
fs.writeFileSync(new URL('icon.png', dir), render(1024));
for (const size of [16, 24, 32, 48, 64, 128, 256, 512])
  fs.writeFileSync(new URL(`icons/${size}x${size}.png`, dir), render(size));
