// @ts-check
// Enhancements for the server-rendered console; every page works without this file.

/** Fill the public message (and suggested status) from the chosen response template. */
function enhanceTemplates() {
  const select = /** @type {HTMLSelectElement|null} */ (document.getElementById("template"));
  const message = /** @type {HTMLTextAreaElement|null} */ (document.getElementById("public_message"));
  const status = /** @type {HTMLSelectElement|null} */ (document.getElementById("status"));
  if (!select || !message) return;
  select.addEventListener("change", () => {
    const option = select.selectedOptions[0];
    if (!option || !option.value) return;
    message.value = option.dataset.text || "";
    if (status && option.dataset.status) status.value = option.dataset.status;
  });
}

/** Move focus to an error summary so screen readers announce it. */
function focusErrors() {
  const summary = /** @type {HTMLElement|null} */ (document.querySelector(".error-summary"));
  if (summary) summary.focus();
}

async function enhanceMaps() {
  const list = document.getElementById("case-map");
  const point = document.getElementById("case-location");
  if (!list && !point) return;
  const maps = await import("./map.js");  // Leaflet is loaded only on pages with a map
  if (list) await maps.caseListMap(list);
  if (point) await maps.locationMap(point);
}

async function enhanceHeatmap() {
  const canvas = /** @type {HTMLCanvasElement|null} */ (document.getElementById("heatmap"));
  if (!canvas) return;
  const { drawHeatmap } = await import("./heatmap.js");
  drawHeatmap(canvas);
}

async function enhanceCharts() {
  const panel = document.getElementById("weekly-chart");
  if (!panel) return;
  if (document.readyState !== "complete") await new Promise((done) => window.addEventListener("load", done, { once: true }));
  const { weeklyChart } = await import("./chart.js");  // uPlot is loaded only here, after the page
  await weeklyChart(panel);
}

enhanceTemplates();
focusErrors();
enhanceMaps().catch((error) => console.warn("map unavailable", error));
enhanceHeatmap().catch((error) => console.warn("heatmap unavailable", error));
enhanceCharts().catch((error) => console.warn("chart unavailable", error));
