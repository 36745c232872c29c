// @ts-check
/**
 * Photos: read the GPS position from the original file's EXIF (re-encoding removes all metadata),
 * then shrink to at most 2048 px on the long side as JPEG, keeping the camera's orientation.
 */

export const MAX_SIDE = 2048;
const QUALITY = 0.8;

/** @typedef {{latitude: number, longitude: number, accuracy?: number}} PhotoPlace */

/**
 * The GPS position in a JPEG's EXIF, or null.
 * @param {ArrayBuffer} buffer  the original file's bytes
 * @returns {PhotoPlace | null}
 */
export function readExifGps(buffer) {
  const view = new DataView(buffer);
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null;
  let offset = 2;
  while (offset + 4 <= view.byteLength) {
    const marker = view.getUint16(offset);
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null;  // start of scan: no more metadata
    const length = view.getUint16(offset + 2);
    if (marker === 0xffe1 && length > 8 && view.getUint32(offset + 4) === 0x45786966) {  // "Exif"
      return readTiffGps(view, offset + 10);
    }
    offset += 2 + length;
  }
  return null;
}

/** @param {DataView} view @param {number} tiff */
function readTiffGps(view, tiff) {
  try {
    const little = view.getUint16(tiff) === 0x4949;
    const u16 = (/** @type {number} */ at) => view.getUint16(at, little);
    const u32 = (/** @type {number} */ at) => view.getUint32(at, little);
    /** @param {number} ifd @returns {Map<number, number>} tag -> entry offset */
    const entries = (ifd) => {
      const found = new Map();
      const count = u16(ifd);
      for (let i = 0; i < count; i += 1) found.set(u16(ifd + 2 + i * 12), ifd + 2 + i * 12);
      return found;
    };
    const ifd0 = entries(tiff + u32(tiff + 4));
    const pointer = ifd0.get(0x8825);
    if (pointer === undefined) return null;
    const gps = entries(tiff + u32(pointer + 8));
    /** @param {number} entry @param {number} index */
    const rational = (entry, index) => {
      const at = tiff + u32(entry + 8) + index * 8;
      const denominator = u32(at + 4);
      return denominator ? u32(at) / denominator : NaN;
    };
    /** @param {number | undefined} entry */
    const degrees = (entry) => (entry === undefined ? NaN
      : rational(entry, 0) + rational(entry, 1) / 60 + rational(entry, 2) / 3600);
    /** @param {number | undefined} entry */
    const ref = (entry) => (entry === undefined ? '' : String.fromCharCode(view.getUint8(entry + 8)));
    let latitude = degrees(gps.get(2));
    let longitude = degrees(gps.get(4));
    if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
    if (ref(gps.get(1)) === 'S') latitude = -latitude;
    if (ref(gps.get(3)) === 'W') longitude = -longitude;
    if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180 || (latitude === 0 && longitude === 0)) return null;
    const error = gps.get(0x1f);  // GPSHPositioningError, metres
    const accuracy = error === undefined ? undefined : rational(error, 0);
    return { latitude, longitude, ...(accuracy && Number.isFinite(accuracy) ? { accuracy } : {}) };
  } catch {
    return null;  // a damaged EXIF block is not worth failing the photo for
  }
}

/** @param {Blob} file @returns {Promise<ImageBitmap | HTMLImageElement>} */
async function decode(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    // Older Safari: an <img> applies the EXIF orientation itself.
    const img = new Image();
    img.src = URL.createObjectURL(file);
    try {
      await img.decode();
      return img;
    } finally {
      URL.revokeObjectURL(img.src);
    }
  }
}

/**
 * A JPEG no larger than MAX_SIDE on its long side, upright, with no metadata.
 * @param {Blob} file
 * @returns {Promise<{blob: Blob, width: number, height: number}>}
 */
export async function resize(file) {
  const image = await decode(file);
  const width0 = 'naturalWidth' in image ? image.naturalWidth : image.width;
  const height0 = 'naturalHeight' in image ? image.naturalHeight : image.height;
  const scale = Math.min(1, MAX_SIDE / Math.max(width0, height0));
  const width = Math.max(1, Math.round(width0 * scale));
  const height = Math.max(1, Math.round(height0 * scale));
  /** @type {Blob} */
  let blob;
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height);
    draw(/** @type {any} */ (canvas.getContext('2d')), image, width, height);
    blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: QUALITY });
  } else {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    draw(/** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d')), image, width, height);
    blob = await new Promise((resolve, reject) => canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error('encode failed'))), 'image/jpeg', QUALITY));
  }
  if ('close' in image) image.close();
  return { blob, width, height };
}

/** @param {CanvasRenderingContext2D} context @param {CanvasImageSource} image @param {number} width @param {number} height */
function draw(context, image, width, height) {
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.fillStyle = '#fff';  // transparent PNGs become white, not black
  context.fillRect(0, 0, width, height);
  context.drawImage(image, 0, 0, width, height);
}

/** The name a photo is sent under: the file's own, as the JPEG it has become. @param {string} fileName */
export function jpegName(fileName) {
  return (fileName || 'photo').replace(/\.[^.]*$/, '') + '.jpg';
}

/**
 * Everything the form needs from a picked file: the GPS (read first), then the resized JPEG.
 * @param {File} file
 */
export async function preparePhoto(file) {
  const original = await file.arrayBuffer();
  const place = readExifGps(original);
  const { blob, width, height } = await resize(file);
  return { name: jpegName(file.name), type: 'image/jpeg', blob, width, height, place, originalBytes: file.size };
}

export const PREVIEW_SIDE = 320;
export const PREVIEW_QUALITY = 0.6;

/**
 * A small JPEG (about 20 KB) of a photo, so an officer sees the evidence within seconds while the
 * photo itself is still on its way. Works in the page and the service worker (createImageBitmap and
 * OffscreenCanvas); null where neither is to be had (the photo is then sent without one).
 * @param {Blob} photo
 * @returns {Promise<Blob | null>}
 */
export async function makePreview(photo) {
  if (typeof createImageBitmap === 'undefined' || typeof OffscreenCanvas === 'undefined') return null;
  try {
    const image = await createImageBitmap(photo);
    const scale = Math.min(1, PREVIEW_SIDE / Math.max(image.width, image.height));
    const width = Math.max(1, Math.round(image.width * scale));
    const height = Math.max(1, Math.round(image.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    draw(/** @type {any} */ (canvas.getContext('2d')), image, width, height);
    image.close();
    return await canvas.convertToBlob({ type: 'image/jpeg', quality: PREVIEW_QUALITY });
  } catch {
    return null;
  }
}

/**
 * The SHA-256 of a photo's bytes, in hex: the name the council's server stores it under, so a
 * photo it holds already is never sent again. @param {ArrayBuffer} data @returns {Promise<string>}
 */
export async function sha256Hex(data) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
