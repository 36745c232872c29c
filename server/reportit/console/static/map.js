// @ts-check
// Console maps: Leaflet (vendored, /vendor/leaflet/) imported lazily, over the council's basemap or
// raster tiles (the app's map-layers.js, shared). With neither, the case list's map still shows its
// markers on a plain background (zoomable and filterable); the case page says the map is not available.
import { addGround, loadLeaflet } from "/app/lib/map-layers.js";

const CLUSTER_PIXELS = 56;

/** @returns {Promise<any>} */
async function leaflet() {
  return loadLeaflet();
}

/** @param {any} L @param {HTMLElement} panel @param {any} map @param {HTMLElement} canvas */
async function addTiles(L, panel, map, canvas) {
  let basemap = null;
  try {
    basemap = JSON.parse(panel.dataset.basemap || "null");
  } catch {
    basemap = null;
  }
  await addGround(L, map, canvas, { basemap, tile_url: panel.dataset.tiles, tile_attribution: panel.dataset.attribution });
}

/**
 * Group points that fall in the same square of CLUSTER_PIXELS at the current zoom.
 * @param {any} map @param {Array<[number, number, string, string]>} points
 */
export function cluster(map, points) {
  /** @type {Map<string, {lat: number, lng: number, items: Array<[number, number, string, string]>}>} */
  const cells = new Map();
  const zoom = map.getZoom();
  for (const p of points) {
    const xy = map.project([p[0], p[1]], zoom);
    const key = `${Math.floor(xy.x / CLUSTER_PIXELS)}:${Math.floor(xy.y / CLUSTER_PIXELS)}`;
    const cell = cells.get(key) || { lat: 0, lng: 0, items: [] };
    cell.items.push(p);
    cell.lat += p[0];
    cell.lng += p[1];
    cells.set(key, cell);
  }
  return [...cells.values()].map((c) => ({ lat: c.lat / c.items.length, lng: c.lng / c.items.length, items: c.items }));
}

/** @param {HTMLElement} panel */
export async function caseListMap(panel) {
  const L = await leaflet();
  const response = await fetch(panel.dataset.points || "", { credentials: "same-origin" });
  if (!response.ok) return;
  const { points, truncated } = await response.json();
  panel.hidden = false;
  const [lat, lng] = (panel.dataset.centre || "0,0").split(",").map(Number);
  const canvas = /** @type {HTMLElement} */ (document.getElementById("case-map-canvas"));
  const map = L.map(canvas, { keyboard: true, maxZoom: 19 }).setView([lat, lng], Number(panel.dataset.zoom || 14));
  await addTiles(L, panel, map, canvas);
  if (points.length) map.fitBounds(points.map((/** @type {number[]} */ p) => [p[0], p[1]]), { maxZoom: 17, padding: [20, 20] });
  const layer = L.layerGroup().addTo(map);
  const draw = () => {
    layer.clearLayers();
    for (const group of cluster(map, points)) {
      if (group.items.length === 1) {
        const [plat, plng, reference] = group.items[0];
        const spoken = `${reference.slice(0, 4)}-${reference.slice(4)}`;
        L.circleMarker([plat, plng], { radius: 8, color: "#1d3557", weight: 2, fillOpacity: 0.8 })
          .bindPopup(`<a href="/console/reports/${reference}">Case ${spoken}</a>`)
          .addTo(layer);
      } else {
        // Wide enough for every digit of the count (a fixed size clipped "1,024" to "02").
        const size = Math.max(32, 18 + String(group.items.length).length * 10);
        const icon = L.divIcon({ className: "cluster", html: String(group.items.length), iconSize: [size, size] });
        L.marker([group.lat, group.lng], { icon, title: `${group.items.length} cases: zoom in`, keyboard: true })
          .on("click", () => map.setView([group.lat, group.lng], Math.min(map.getZoom() + 2, 19)))
          .addTo(layer);
      }
    }
  };
  map.on("zoomend", draw);
  draw();
  if (truncated) panel.querySelector(".hint")?.append(" Only the newest 5,000 cases are on the map.");

  // "Show only cases in this map's area": the map's view becomes the filter's area (hidden fields
  // of the filter form, replacing any area chosen before), then the normal form submits.
  document.getElementById("search-area")?.addEventListener("click", () => {
    const form = /** @type {HTMLFormElement|null} */ (document.getElementById("filters"));
    if (!form) return;
    const bounds = map.getBounds();
    /** @type {Record<string, number>} */
    const edges = { south: bounds.getSouth(), west: bounds.getWest(), north: bounds.getNorth(), east: bounds.getEast() };
    for (const [name, value] of Object.entries(edges)) {
      form.querySelectorAll(`input[name="${name}"]`).forEach((old) => old.remove());
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value.toFixed(6);
      form.append(input);
    }
    form.requestSubmit();
  });
}

/** @param {HTMLElement} panel */
export async function locationMap(panel) {
  const L = await leaflet();
  const [lat, lng] = (panel.dataset.point || "0,0").split(",").map(Number);
  panel.hidden = false;
  const canvas = /** @type {HTMLElement} */ (document.getElementById("case-location-canvas"));
  const map = L.map(canvas, { maxZoom: 19 }).setView([lat, lng], Number(panel.dataset.zoom || 16));
  await addTiles(L, panel, map, canvas);
  L.circleMarker([lat, lng], { radius: 10, color: "#b10e1e", weight: 3, fillOpacity: 0.6 }).addTo(map);
}
