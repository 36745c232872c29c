// @ts-check
/**
 * Places on the phone: the council's street list (kept by the service worker, so it works with no
 * signal), the nearest street and the ward of a point, street names for the type-ahead, the
 * partner who looks after a street, and open reports nearby ("Is it one of these?").
 *
 * The street list's shape is server/reportit/places/street_list.py's.
 */
import { request } from './api.js';

/** @typedef {{name: string, locality: string, authority: string, lines: Float64Array[], box: [number, number, number, number]}} Street */
/** @typedef {{name: string, polygons: Float64Array[][], box: [number, number, number, number]}} Ward */
/** @typedef {{authorities: string[], groups: string[], signpost: string}} Partner */
/** @typedef {{version: string, streets: Street[], wards: Ward[], partners: Partner[]}} StreetList */
/** @typedef {{street: Street | null, metres: number, ward: string}} Found */

const METRES_PER_DEGREE = 111320;
/** Beyond this a point is on no known street. */
const NEAREST_WITHIN = 250;

/** @type {Promise<StreetList> | null} */
let loading = null;

/** The street list, fetched once per page (the service worker answers from its copy). */
export function streetList() {
  if (!loading) {
    loading = fetch('/api/streets', { headers: { Accept: 'application/json' } })
      .then((response) => {
        if (!response.ok) throw new Error('The list of streets could not be loaded.');
        return response.json();
      })
      .then(parseStreetList)
      .catch((error) => {
        loading = null;  // try again next time
        throw error;
      });
  }
  return loading;
}

/** @param {any} raw @returns {StreetList} */
export function parseStreetList(raw) {
  const streets = raw.streets.map((/** @type {any[]} */ [name, locality, authority, lines]) => {
    const decoded = lines.map(decodePolyline);
    return { name, locality, authority: authority >= 0 ? raw.authorities[authority] : '', lines: decoded, box: boxOf(decoded) };
  });
  const wards = raw.wards.map((/** @type {any[]} */ [name, polygons]) => {
    const decoded = polygons.map((/** @type {string[]} */ rings) => rings.map(decodePolyline));
    return { name, polygons: decoded, box: boxOf(decoded.flat()) };
  });
  return { version: raw.version, streets, wards, partners: raw.partners || [] };
}

/**
 * Google's encoded polyline to [lng, lat, lng, lat, …].
 * @param {string} text
 */
export function decodePolyline(text) {
  const out = [];
  let index = 0;
  let lat = 0;
  let lng = 0;
  while (index < text.length) {
    for (let k = 0; k < 2; k += 1) {
      let result = 0;
      let shift = 0;
      let byte;
      do {
        byte = text.charCodeAt(index++) - 63;
        result |= (byte & 0x1f) << shift;
        shift += 5;
      } while (byte >= 0x20);
      const delta = result & 1 ? ~(result >> 1) : result >> 1;
      if (k === 0) lat += delta;
      else lng += delta;
    }
    out.push(lng / 1e5, lat / 1e5);
  }
  return Float64Array.from(out);
}

/** @param {Float64Array[]} lines @returns {[number, number, number, number]} west, south, east, north */
function boxOf(lines) {
  let west = Infinity; let south = Infinity; let east = -Infinity; let north = -Infinity;
  for (const line of lines) {
    for (let i = 0; i < line.length; i += 2) {
      west = Math.min(west, line[i]); east = Math.max(east, line[i]);
      south = Math.min(south, line[i + 1]); north = Math.max(north, line[i + 1]);
    }
  }
  return [west, south, east, north];
}

/**
 * The street nearest a point (within 250 m) and the ward it is in, worked out on the phone.
 * @param {StreetList} list @param {number} latitude @param {number} longitude @returns {Found}
 */
export function nearest(list, latitude, longitude) {
  const kx = METRES_PER_DEGREE * Math.cos((latitude * Math.PI) / 180);
  const ky = METRES_PER_DEGREE;
  let best = NEAREST_WITHIN;
  /** @type {Street | null} */
  let found = null;
  for (const street of list.streets) {
    const [west, south, east, north] = street.box;
    // The box is at least this far away: skip the street when that is already worse.
    const dx = longitude < west ? west - longitude : longitude > east ? longitude - east : 0;
    const dy = latitude < south ? south - latitude : latitude > north ? latitude - north : 0;
    if (Math.hypot(dx * kx, dy * ky) >= best) continue;
    for (const line of street.lines) {
      let ax = (line[0] - longitude) * kx;
      let ay = (line[1] - latitude) * ky;
      if (line.length === 2 && Math.hypot(ax, ay) < best) { best = Math.hypot(ax, ay); found = street; }
      for (let i = 2; i < line.length; i += 2) {
        const bx = (line[i] - longitude) * kx;
        const by = (line[i + 1] - latitude) * ky;
        const sx = bx - ax; const sy = by - ay;
        const length = sx * sx + sy * sy;
        const t = length === 0 ? 0 : Math.max(0, Math.min(1, -(ax * sx + ay * sy) / length));
        const d = Math.hypot(ax + t * sx, ay + t * sy);
        if (d < best) { best = d; found = street; }
        ax = bx; ay = by;
      }
    }
  }
  return { street: found, metres: found ? best : Infinity, ward: wardAt(list, latitude, longitude) };
}

/** @param {StreetList} list @param {number} latitude @param {number} longitude */
export function wardAt(list, latitude, longitude) {
  for (const ward of list.wards) {
    const [west, south, east, north] = ward.box;
    if (longitude < west || longitude > east || latitude < south || latitude > north) continue;
    for (const rings of ward.polygons) {
      let inside = false;
      for (const ring of rings) {
        for (let i = 0; i + 3 < ring.length; i += 2) {
          const x1 = ring[i]; const y1 = ring[i + 1]; const x2 = ring[i + 2]; const y2 = ring[i + 3];
          if ((y1 > latitude) !== (y2 > latitude) && longitude < ((x2 - x1) * (latitude - y1)) / (y2 - y1) + x1) inside = !inside;
        }
      }
      if (inside) return ward.name;
    }
  }
  return '';
}

/** "Regent Street, West End ward", either part alone, or ''. @param {string} street @param {string} ward */
export function placeWords(street, ward) {
  const wardWords = !ward ? '' : / ward$/i.test(ward) ? ward : `${ward} ward`;
  return [street, wardWords].filter(Boolean).join(', ');
}

/**
 * Streets whose name has words starting with what was typed ("rege" → Regent Street), names that
 * start with it first.
 * @param {StreetList} list @param {string} typed @param {number} [limit]
 */
export function searchStreets(list, typed, limit = 8) {
  const words = typed.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const text = words.join(' ');
  const matches = list.streets.filter((s) => {
    const name = s.name.toLowerCase();
    const parts = name.split(/\s+/);
    return words.every((w) => parts.some((p) => p.startsWith(w)));
  });
  matches.sort((a, b) => Number(!a.name.toLowerCase().startsWith(text)) - Number(!b.name.toLowerCase().startsWith(text)) || a.name.localeCompare(b.name));
  const seen = new Set();
  return matches.filter((s) => !seen.has(s.name) && seen.add(s.name)).slice(0, limit);
}

/**
 * The partner's signpost category, when the street's maintaining authority looks after this kind of
 * problem there (a red route is Transport for London's).
 * @param {StreetList} list @param {string} authority @param {any} category @param {any[]} categories
 */
export function partnerFor(list, authority, category, categories) {
  if (!authority || !category) return null;
  const partner = list.partners.find((p) => p.authorities.includes(authority.toLowerCase()) && p.groups.includes(category.group));
  return partner ? categories.find((c) => c.code === partner.signpost) || null : null;
}

/** The server's word on a point (the phone's own guess is shown first). @param {number} latitude @param {number} longitude @param {string} category */
export function describeOnServer(latitude, longitude, category) {
  const query = new URLSearchParams({ latitude: String(latitude), longitude: String(longitude), category });
  return request(`/api/places/describe?${query}`);
}

/** Areas are cells of this size; a cell's nearby reports are asked for (and kept) as one. */
const CELL_LAT = 0.004;
const CELL_LNG = 0.006;
const CELL_RADIUS = 500;
/** "Within about 50 metres". */
export const NEARBY_METRES = 50;

/**
 * Open reports of this category within about 50 m: from the server, or with no signal from the
 * last copy of the area the service worker kept.
 * @param {number} latitude @param {number} longitude @param {string} category
 * @returns {Promise<any[]>}
 */
export async function nearbyReports(latitude, longitude, category) {
  const cellLat = (Math.floor(latitude / CELL_LAT) + 0.5) * CELL_LAT;
  const cellLng = (Math.floor(longitude / CELL_LNG) + 0.5) * CELL_LNG;
  const query = new URLSearchParams({ latitude: cellLat.toFixed(4), longitude: cellLng.toFixed(4), radius: String(CELL_RADIUS) });
  const body = await request(`/api/reports/nearby?${query}`);
  const kx = METRES_PER_DEGREE * Math.cos((latitude * Math.PI) / 180);
  return body.reports
    .map((/** @type {any} */ r) => ({ ...r, distance_m: Math.round(Math.hypot((r.longitude - longitude) * kx, (r.latitude - latitude) * METRES_PER_DEGREE)) }))
    .filter((/** @type {any} */ r) => r.category.code === category && r.distance_m <= NEARBY_METRES)
    .sort((/** @type {any} */ a, /** @type {any} */ b) => a.distance_m - b.distance_m);
}
