// @ts-check
/** An optional map with a draggable pin (Leaflet, loaded only here). Every journey works without it. */

/**
 * @param {HTMLElement} element
 * @param {{centre: [number, number], zoom: number, tile_url: string, tile_attribution?: string}} settings
 * @param {{latitude: number, longitude: number} | null} point
 * @param {(latitude: number, longitude: number) => void} onMove
 * @returns {(point: {latitude: number, longitude: number} | null) => void} moves the pin to a point found another way
 */
export function showMap(element, settings, point, onMove) {
  const ready = import('/vendor/leaflet/leaflet-src.esm.js').then((L) => {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = '/vendor/leaflet/leaflet.css';
    document.head.append(css);
    const start = point ? [point.latitude, point.longitude] : settings.centre;
    const map = L.map(element, { keyboard: true }).setView(start, settings.zoom || 15);
    L.tileLayer(settings.tile_url, { attribution: settings.tile_attribution || '', maxZoom: 19 }).addTo(map);
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
  return (next) => {
    if (!next) return;
    ready.then(({ map, marker }) => {
      marker.setLatLng([next.latitude, next.longitude]);
      map.setView([next.latitude, next.longitude]);
    }).catch(() => undefined);
  };
}
