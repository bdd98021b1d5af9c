// Generates assets/icon.png (512x512 RGBA): a vault door with a keyhole.
// Dependency-free so it runs anywhere Node does: shapes are rasterized with
// 4x4 supersampling and written as a PNG with node:zlib.
// Run: node assets/generate-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
const SAMPLES = 4;

const BACKGROUND = [31, 42, 68];
const STEEL = [215, 222, 232];
const DOOR = [45, 59, 92];

const inCircle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

function inRoundedSquare(inset, radius) {
  const lo = inset + radius;
  const hi = SIZE - inset - radius;
  return (x, y) => {
    const dx = Math.max(lo - x, 0, x - hi);
    const dy = Math.max(lo - y, 0, y - hi);
    return dx * dx + dy * dy <= radius * radius;
  };
}

// Keyhole: a round head over a tapering slot.
function inKeyhole(x, y) {
  if (inCircle(256, 228, 36)(x, y)) return true;
  if (y < 228 || y > 326) return false;
  const halfWidth = 14 + ((y - 228) / 98) * 12;
  return Math.abs(x - 256) <= halfWidth;
}

const bolts = Array.from({ length: 8 }, (_, i) => {
  const angle = (i * Math.PI) / 4 + Math.PI / 8;
  return inCircle(256 + 144 * Math.cos(angle), 256 + 144 * Math.sin(angle), 9);
});

// Later layers paint over earlier ones.
const layers = [
  [inRoundedSquare(24, 104), BACKGROUND],
  [inCircle(256, 256, 168), STEEL],
  [inCircle(256, 256, 132), DOOR],
  ...bolts.map((bolt) => [bolt, DOOR]),
  [inKeyhole, STEEL],
];

function pixel(px, py) {
  let r = 0, g = 0, b = 0, a = 0;
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) {
      const x = px + (sx + 0.5) / SAMPLES;
      const y = py + (sy + 0.5) / SAMPLES;
      let color = null;
      for (const [inside, fill] of layers) if (inside(x, y)) color = fill;
      if (color) {
        r += color[0];
        g += color[1];
        b += color[2];
        a += 1;
      }
    }
  }
  // Colour averaged over covered samples only, so edges fade to transparent, not to black.
  return a === 0 ? [0, 0, 0, 0] : [r / a, g / a, b / a, (a / (SAMPLES * SAMPLES)) * 255].map(Math.round);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  const row = y * (SIZE * 4 + 1);
  raw[row] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) raw.set(pixel(x, y), row + 1 + x * 4);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace

const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`assets/icon.png: ${SIZE}x${SIZE}, ${png.length} bytes`);
