// @ts-check
// The dashboard's weekly chart: uPlot (vendored from npm by `make vendor`), imported only on the
// dashboard and only once the page has loaded. The table beside it has the same figures and stays
// the accessible version; without this file (or JavaScript) the page is complete.

// Colours told apart by people with the common colour-vision deficiencies (Okabe–Ito).
const COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"];

/** @param {HTMLElement} panel */
export async function weeklyChart(panel) {
  /** @type {{weeks: number[], series: Array<{name: string, counts: number[]}>}} */
  const data = JSON.parse(panel.dataset.chart || "{}");
  if (!data.weeks || !data.weeks.length) return;
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "/console/static/uplot.min.css";
  document.head.append(style);
  const { default: UPlot } = await import("./uplot.esm.js");
  panel.hidden = false;
  const canvas = /** @type {HTMLElement} */ (panel.querySelector(".chart__canvas"));
  const options = {
    width: Math.max(320, Math.min(canvas.clientWidth || 720, 960)),
    height: 280,
    scales: { x: { time: true } },
    axes: [{}, { label: "Reports", values: (/** @type {any} */ _u, /** @type {number[]} */ ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")) }],
    series: [
      { label: "Week starting" },
      ...data.series.map((s, i) => ({ label: s.name, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: true } })),
    ],
  };
  new UPlot(options, [data.weeks, ...data.series.map((s) => s.counts)], canvas);
}
