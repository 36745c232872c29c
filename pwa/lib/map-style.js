// @ts-check
/**
 * The council's basemap style for protomaps-leaflet: pale ground, white streets with a grey edge,
 * ward boundaries as dashed purple lines, and dark street names on a white halo (at least 13 px,
 * bold) so they stay legible on a phone in daylight. Colours pass WCAG contrast against the ground.
 * Layers are those of `reportit basemap build` (areas, streets, area_labels); an OpenStreetMap
 * extract with the same layer names draws the same way.
 */

export const GROUND = '#f3f1ea';
const STREET_EDGE = '#8c8c8c';
const STREET = '#ffffff';
const WARD_LINE = '#5b4a8b';
const TEXT = '#1b1b1b';
const WARD_TEXT = '#3d2f6b';

/** Street width in pixels by zoom: a thin line across the borough, a road at street level. @param {number} z */
const streetWidth = (z) => (z < 13 ? 1.5 : z < 15 ? 4 : z < 17 ? 9 : 14);

/** @param {any} P protomaps-leaflet's namespace */
export function paintRules(P) {
  return [
    { dataLayer: 'areas', symbolizer: new P.PolygonSymbolizer({ fill: '#e8e4f2', opacity: 0.35 }) },
    { dataLayer: 'areas', symbolizer: new P.LineSymbolizer({ color: WARD_LINE, width: 2, dash: [6, 4], opacity: 0.8 }) },
    { dataLayer: 'streets', symbolizer: new P.LineSymbolizer({ color: STREET_EDGE, width: (/** @type {number} */ z) => streetWidth(z) + 2, lineCap: 'round' }) },
    { dataLayer: 'streets', symbolizer: new P.LineSymbolizer({ color: STREET, width: streetWidth, lineCap: 'round' }) },
  ];
}

/** @param {any} P protomaps-leaflet's namespace */
export function labelRules(P) {
  return [
    { dataLayer: 'streets', minzoom: 14, symbolizer: new P.LineLabelSymbolizer({
      font: (/** @type {number} */ z) => `600 ${z < 16 ? 13 : 15}px sans-serif`, fill: TEXT, stroke: STREET, width: 3,
      position: P.LineLabelPlacement ? P.LineLabelPlacement.Center : 2,
    }) },
    { dataLayer: 'area_labels', maxzoom: 16, symbolizer: new P.CenteredTextSymbolizer({
      font: 'italic 600 15px sans-serif', fill: WARD_TEXT, stroke: GROUND, width: 3,
    }) },
  ];
}
