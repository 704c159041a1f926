// Draws the program report's charts from the JSON the page embeds (no inline scripts: CSP).
// A figure hidden by the privacy threshold arrives as null and is left out of the chart; the
// table beside each chart says "fewer than N responses" in its place.
(() => {
  const source = document.getElementById("report-charts");
  if (!source || typeof Chart === "undefined") return;
  const charts = JSON.parse(source.textContent);

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const spec = charts[canvas.dataset.chart];
    if (!spec) return;
    const unit = spec.unit || "";
    const options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: spec.datasets.length > 1 || spec.type === "doughnut" },
        tooltip: {
          callbacks: {
            label: (ctx) => `${ctx.dataset.label}: ${ctx.formattedValue}${unit}`,
          },
        },
      },
    };
    if (spec.type !== "doughnut") {
      options.scales = {
        // Every category keeps its label: Chart.js would drop every other domain on a phone.
        x: { stacked: Boolean(spec.stacked), ticks: { autoSkip: false } },
        y: {
          stacked: Boolean(spec.stacked),
          min: spec.yMin,
          max: spec.yMax,
          ticks: { callback: (value) => `${value}${unit}` },
        },
      };
    }
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((d) => ({ ...d, spanGaps: false })),
      },
      options,
    });
  });
})();
