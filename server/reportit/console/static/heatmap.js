// @ts-check
// Draws the dashboard heatmap on a canvas from the grid the server computed. No tiles needed.

/** @param {HTMLCanvasElement} canvas */
export function drawHeatmap(canvas) {
  const data = JSON.parse(canvas.dataset.heatmap || "{}");
  const context = canvas.getContext("2d");
  if (!context || !data.grid) return;
  const size = canvas.width / data.grid;
  context.fillStyle = "#f3f2f1";
  context.fillRect(0, 0, canvas.width, canvas.height);
  for (const [row, col, count] of data.cells) {
    // Square-root scale: one busy street should not wash every other square out.
    const strength = Math.sqrt(count / Math.max(1, data.max));
    context.fillStyle = `rgba(177, 14, 30, ${0.15 + 0.85 * strength})`;
    context.fillRect(col * size, row * size, size, size);
  }
  context.strokeStyle = "#b1b4b6";
  context.strokeRect(0, 0, canvas.width, canvas.height);
  canvas.hidden = false;
}
