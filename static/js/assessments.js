// Assessments: the results chart (data from json_script, never inline code) and the live
// progress bar while taking an assessment. Everything works without this file; it only adds.
(function () {
  "use strict";

  function drawResultsChart() {
    const canvas = document.getElementById("results-chart");
    const source = document.getElementById("results-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    const palette = ["#6c757d", "#0d6efd"];
    const datasets = data.datasets.map((set, i) => ({
      label: set.label,
      data: set.data,
      backgroundColor: palette[(i + palette.length - data.datasets.length) % palette.length],
      borderRadius: 3,
    }));
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: "y",
        responsive: true,
        aspectRatio: 1.2,
        scales: {
          x: {
            min: data.min,
            max: data.max,
            ticks: { callback: (value) => `${value}${data.unit}` },
          },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.parsed.x}${data.unit}` } },
        },
      },
    });
  }

  function itemAnswered(card) {
    const kind = card.dataset.kind;
    if (kind === "text") {
      const box = card.querySelector("textarea");
      return Boolean(box && box.value.trim());
    }
    const groups = card.querySelectorAll("fieldset[data-group]");
    const first = groups[0] && groups[0].querySelector("input:checked");
    if (!first) return false;
    if (kind !== "ability_willingness" || first.value === "na") return true;
    return Boolean(groups[1] && groups[1].querySelector("input:checked"));
  }

  function trackProgress() {
    const form = document.querySelector("[data-take-form]");
    const bar = document.getElementById("take-progress");
    const label = document.getElementById("progress-label");
    if (!form || !bar || !label) return;
    const cards = Array.from(form.querySelectorAll("[data-item]"));
    const update = () => {
      const answered = cards.filter(itemAnswered).length;
      const percent = cards.length ? Math.round((100 * answered) / cards.length) : 0;
      bar.setAttribute("aria-valuenow", String(percent));
      bar.querySelector(".progress-bar").style.width = `${percent}%`;
      label.textContent = `${answered} of ${cards.length} answered`;
    };
    form.addEventListener("change", update);
    form.addEventListener("input", update);
  }

  function focusErrors() {
    const summary = document.getElementById("form-errors");
    if (summary) summary.focus();
  }

  drawResultsChart();
  trackProgress();
  focusErrors();
})();
