// @ts-check
/** An optional map with a draggable pin (Leaflet, loaded only here). Every journey works without it. */
import { addGround, loadLeaflet } from './map-layers.js';

/**
 * @param {HTMLElement} element
 * @param {{centre: [number, number], zoom: number} & import('./map-layers.js').Ground} settings
 * @param {{latitude: number, longitude: number} | null} point
 * @param {(latitude: number, longitude: number) => void} onMove
 * @param {() => void} [onUnavailable] the map's libraries could not be loaded (offline before first use)
 * @returns {(point: {latitude: number, longitude: number} | null) => void} moves the pin to a point found another way
 */
export function showMap(element, settings, point, onMove, onUnavailable) {
  const ready = loadLeaflet().then(async (L) => {
    const start = point ? [point.latitude, point.longitude] : settings.centre;
    const map = L.map(element, { keyboard: true, maxZoom: 19 }).setView(start, settings.zoom || 15);
    await addGround(L, map, element, settings);
    const icon = L.icon({
      iconUrl: '/vendor/leaflet/images/marker-icon.png', iconRetinaUrl: '/vendor/leaflet/images/marker-icon-2x.png',
      shadowUrl: '/vendor/leaflet/images/marker-shadow.png', iconSize: [25, 41], iconAnchor: [12, 41],
    });
    const marker = L.marker(start, { draggable: true, icon, keyboard: true, title: 'Drag to the place', alt: 'Pin' }).addTo(map);
    marker.on('dragend', () => {
      const at = marker.getLatLng();
      onMove(at.lat, at.lng);
    });
    return { map, marker };
  });
  ready.catch(() => onUnavailable?.());
  return (next) => {
    if (!next) return;
    ready.then(({ map, marker }) => {
      marker.setLatLng([next.latitude, next.longitude]);
      map.setView([next.latitude, next.longitude]);
    }).catch(() => undefined);
  };
}
