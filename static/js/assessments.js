// Assessments: the results chart (data from json_script, never inline code) and the live
// progress bar, autosave and the warning before leaving unsaved answers while taking an
// assessment. Everything works without this file; it only adds.
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
    // Every domain keeps its label (Chart.js would skip every other one on a phone): the chart's
    // box grows with the domains and their bars instead of squeezing them into a fixed ratio.
    const box = canvas.parentElement;
    const perDomain = Math.max(48, datasets.length * 20 + 24);
    box.style.height = `${data.labels.length * perDomain + 72}px`;
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: {
            min: data.min,
            max: data.max,
            ticks: { callback: (value) => `${value}${data.unit}` },
          },
          y: { ticks: { autoSkip: false } },
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

  // No lost work: the draft saves itself a moment after each answer (the same POST as "Save
  // draft", answered in JSON), and leaving the page with answers not yet saved asks first.
  function keepDrafts() {
    const form = document.querySelector("[data-take-form][data-autosave]");
    if (!form) return;
    const status = document.getElementById("save-status");
    const say = (text) => { if (status) status.textContent = text; };
    say("Answers save as you go.");  // the page's own words are for a browser without this script
    let changes = 0;   // answers changed since the page loaded
    let saved = 0;     // of those, how many the last successful save carried
    let timer = null;
    let leaving = false;
    const unsaved = () => changes !== saved;

    async function save() {
      timer = null;
      const upTo = changes;
      const body = new FormData(form);
      body.set("action", form.dataset.autosave);
      say("Saving…");
      try {
        // form.action would be the buttons named "action", not the attribute
        const reply = await fetch(form.getAttribute("action") || window.location.href, {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
        });
        const data = await reply.json();
        if (reply.ok && data.saved) {
          saved = Math.max(saved, upTo);
          say(unsaved() ? "Saving…" : `Draft saved at ${data.at}.`);
        } else {
          say(data.error || "Not saved yet: press Save draft.");
        }
      } catch (error) {
        say("Not saved yet (no connection): press Save draft before you leave.");
      }
    }

    const changed = (delay) => {
      changes += 1;
      say("Unsaved answers…");
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(save, delay);
    };
    form.addEventListener("change", () => changed(800));
    form.addEventListener("input", (event) => {
      if (event.target.tagName === "TEXTAREA") changed(2000);
    });
    form.addEventListener("submit", () => {
      leaving = true;
      if (timer) window.clearTimeout(timer);
    });
    window.addEventListener("beforeunload", (event) => {
      if (leaving || !unsaved()) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  function focusErrors() {
    const summary = document.getElementById("form-errors");
    if (summary) summary.focus();
  }

  drawResultsChart();
  trackProgress();
  keepDrafts();
  focusErrors();
})();
