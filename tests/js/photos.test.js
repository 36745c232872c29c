// The photo helpers that need no canvas (pwa/lib/photos.js): where a photo was taken, from its
// EXIF, and the name it is sent under.
import test from 'node:test';
import assert from 'node:assert/strict';
import { jpegName, readExifGps } from '../../pwa/lib/photos.js';

/**
 * A JPEG's first bytes with an EXIF block holding a GPS position, as a camera writes it.
 * @param {{latitude: number, longitude: number, accuracy?: number, little?: boolean, south?: boolean, west?: boolean}} gps
 */
function jpegWithGps({ latitude, longitude, accuracy, little = false, south = false, west = false }) {
  const tiff = new DataView(new ArrayBuffer(200));
  const u16 = (at, v) => tiff.setUint16(at, v, little);
  const u32 = (at, v) => tiff.setUint32(at, v, little);
  const entry = (at, tag, type, count, value) => { u16(at, tag); u16(at + 2, type); u32(at + 4, count); u32(at + 8, value); };
  tiff.setUint16(0, little ? 0x4949 : 0x4d4d);
  u16(2, 42);
  u32(4, 8);  // IFD0
  u16(8, 1);
  entry(10, 0x8825, 4, 1, 26);  // the GPS IFD's offset
  const tags = accuracy === undefined ? 4 : 5;
  u16(26, tags);
  const data = 28 + tags * 12 + 4;
  const ref = (at, tag, letter) => { entry(at, tag, 2, 2, 0); tiff.setUint8(at + 8, letter.charCodeAt(0)); };
  /** degrees, minutes, seconds as three rationals at `at` */
  const dms = (at, value) => {
    const degrees = Math.floor(value);
    const minutes = Math.floor((value - degrees) * 60);
    const seconds = Math.round(((value - degrees) * 60 - minutes) * 60 * 1000);
    [[degrees, 1], [minutes, 1], [seconds, 1000]].forEach(([n, d], i) => { u32(at + i * 8, n); u32(at + i * 8 + 4, d); });
  };
  ref(28, 1, south ? 'S' : 'N');
  entry(40, 2, 5, 3, data);
  dms(data, latitude);
  ref(52, 3, west ? 'W' : 'E');
  entry(64, 4, 5, 3, data + 24);
  dms(data + 24, longitude);
  if (accuracy !== undefined) {
    entry(76, 0x1f, 5, 1, data + 48);
    u32(data + 48, accuracy * 10);
    u32(data + 52, 10);
  }
  const header = [0xff, 0xd8, 0xff, 0xe1, 0, 0, 0x45, 0x78, 0x69, 0x66, 0, 0];
  const bytes = new Uint8Array(header.length + tiff.byteLength + 2);
  bytes.set(header);
  new DataView(bytes.buffer).setUint16(4, 2 + 6 + tiff.byteLength);
  bytes.set(new Uint8Array(tiff.buffer), header.length);
  bytes.set([0xff, 0xda], header.length + tiff.byteLength);  // start of scan
  return bytes.buffer;
}

const near = (actual, expected) => assert.ok(Math.abs(actual - expected) < 1e-5, `${actual} is not ${expected}`);

test('reads the position a camera wrote, in either byte order', () => {
  for (const little of [false, true]) {
    const place = readExifGps(jpegWithGps({ latitude: 51.4975, longitude: 0.1357, little }));
    near(place.latitude, 51.4975);
    near(place.longitude, 0.1357);
    assert.equal('accuracy' in place, false);
  }
});

test('south and west are negative; the accuracy is kept when the camera gives one', () => {
  const place = readExifGps(jpegWithGps({ latitude: 33.8688, longitude: 151.2093, south: true, west: true, accuracy: 4.5 }));
  near(place.latitude, -33.8688);
  near(place.longitude, -151.2093);
  assert.equal(place.accuracy, 4.5);
});

test('no position: not a JPEG, no EXIF, or the 0,0 a broken GPS writes', () => {
  assert.equal(readExifGps(new TextEncoder().encode('GIF89a not a jpeg').buffer), null);
  assert.equal(readExifGps(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2]).buffer), null);
  assert.equal(readExifGps(new ArrayBuffer(2)), null);
  assert.equal(readExifGps(jpegWithGps({ latitude: 0, longitude: 0 })), null);
});

test('a damaged EXIF block gives no position rather than failing the photo', () => {
  const bytes = new Uint8Array(jpegWithGps({ latitude: 51.5, longitude: 0.1 }));
  const cut = bytes.slice(0, 60);
  assert.equal(readExifGps(cut.buffer), null);
});

test('photos are sent under their own name, as JPEGs', () => {
  assert.equal(jpegName('IMG_0001.HEIC'), 'IMG_0001.jpg');
  assert.equal(jpegName('holiday.photo.png'), 'holiday.photo.jpg');
  assert.equal(jpegName('no-extension'), 'no-extension.jpg');
  assert.equal(jpegName(''), 'photo.jpg');
});
