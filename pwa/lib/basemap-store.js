// @ts-check
/**
 * The basemap kept on this phone, in Cache Storage, shared by the page and the service worker.
 *
 * The map reads the PMTiles file in byte ranges (`Range: bytes=a-b`). Cache Storage refuses 206
 * answers, so a range the phone has seen is kept as a 200 under its own key (the file's URL with
 * `?bytes=a-b`, the Content-Range kept in a header) and handed back as a 206. "Keep the whole
 * borough" keeps the whole file under its plain URL; any range is then cut from it. The file's URL
 * names its version, so nothing kept is ever stale: a new file is a new URL, and the copies of
 * older ones are deleted when it is first used.
 */

export const CACHE = 'reportit-basemap';
/** What a map needs besides the file; fetched through the service worker, which keeps them. */
export const LIBRARY_FILES = [
  '/vendor/leaflet/leaflet-src.esm.js', '/vendor/leaflet/leaflet.css', '/vendor/protomaps-leaflet/protomaps-leaflet.esm.js',
  '/vendor/leaflet/images/marker-icon.png', '/vendor/leaflet/images/marker-icon-2x.png', '/vendor/leaflet/images/marker-shadow.png',
];
export const BASEMAP_PATH = /^\/basemap\/[0-9a-f]+\.pmtiles$/;

/** `bytes=a-b` (the only form the map asks for), else null. @param {string | null} header */
export function parseRange(header) {
  const match = /^bytes=(\d+)-(\d+)$/.exec((header || '').trim());
  if (!match) return null;
  const start = Number(match[1]);
  const end = Number(match[2]);
  return end >= start ? { start, end } : null;
}

/** @param {string} path @param {{start: number, end: number}} range */
export function rangeKey(path, range) {
  return `${path}?bytes=${range.start}-${range.end}`;
}

/**
 * A range of the file from what this phone keeps, as a 206, or null.
 * @param {string} path @param {{start: number, end: number}} range
 */
export async function keptRange(path, range) {
  const cache = await caches.open(CACHE);
  const seen = await cache.match(rangeKey(path, range));
  if (seen) return partial(await seen.arrayBuffer(), seen.headers.get('X-Content-Range') || '', seen.headers);
  const whole = await cache.match(path);
  if (!whole) return null;
  const file = await whole.blob();
  if (range.start >= file.size) return null;
  const end = Math.min(range.end, file.size - 1);
  return partial(await file.slice(range.start, end + 1).arrayBuffer(), `bytes ${range.start}-${end}/${file.size}`, whole.headers);
}

/** @param {ArrayBuffer} body @param {string} contentRange @param {Headers} from */
function partial(body, contentRange, from) {
  return new Response(body, { status: 206, headers: {
    'Content-Type': from.get('Content-Type') || 'application/vnd.pmtiles',
    'Content-Range': contentRange,
    'Content-Length': String(body.byteLength),
    'ETag': from.get('ETag') || '',
  } });
}

/** Keep a 206 the server sent, under its range's key. @param {string} path @param {{start: number, end: number}} range @param {Response} response */
export async function keepRange(path, range, response) {
  const body = await response.arrayBuffer();
  const cache = await caches.open(CACHE);
  await cache.put(rangeKey(path, range), new Response(body, { headers: {
    'Content-Type': response.headers.get('Content-Type') || 'application/vnd.pmtiles',
    'X-Content-Range': response.headers.get('Content-Range') || '',
    'ETag': response.headers.get('ETag') || '',
  } }));
}

/** Delete what is kept of any other version of the file. @param {string} path */
export async function forgetOtherVersions(path) {
  const cache = await caches.open(CACHE);
  for (const key of await cache.keys()) {
    if (new URL(key.url).pathname !== path) await cache.delete(key);
  }
}

/** @param {string} path */
export async function isWholeKept(path) {
  return Boolean(await (await caches.open(CACHE)).match(path));
}

/**
 * Download the whole file and keep it ("Keep the whole borough on this phone"), streamed into
 * Cache Storage (a borough's file may be tens of megabytes: it is never held in memory whole).
 * @param {string} path @param {(received: number, total: number) => void} onProgress
 * @param {AbortSignal} [signal]
 */
export async function keepWhole(path, onProgress, signal) {
  const response = await fetch(path, { signal });
  if (!response.ok || !response.body) throw new Error(`The map could not be downloaded (${response.status}).`);
  const total = Number(response.headers.get('Content-Length') || 0);
  let received = 0;
  const counted = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      received += chunk.byteLength;
      onProgress(received, total);
      controller.enqueue(chunk);
    },
  }));
  await forgetOtherVersions(path);
  const cache = await caches.open(CACHE);
  await cache.put(path, new Response(counted, { headers: {
    'Content-Type': response.headers.get('Content-Type') || 'application/vnd.pmtiles',
    'ETag': response.headers.get('ETag') || '',
  } }));
  if (total && received !== total) {
    await cache.delete(path);
    throw new Error('The download was cut short.');
  }
  for (const url of LIBRARY_FILES) {
    const library = await fetch(url, { signal });
    if (!library.ok) throw new Error(`The map could not be downloaded (${library.status}).`);
  }
  // Ask the browser not to clear it when space runs low (it may say no; the map then still works
  // with what is kept until then).
  await navigator.storage?.persist?.().catch(() => false);
}

/** Remove the whole file (the ranges seen while using the map stay). @param {string} path */
export async function forgetWhole(path) {
  await (await caches.open(CACHE)).delete(path);
}
