/* Crisis room: negative messages per hour against the alert threshold (Chart.js from node_modules). */
(function () {
  "use strict";

  function draw() {
    var canvas = document.getElementById("crisis-chart");
    var source = document.getElementById("crisis-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var style = getComputedStyle(document.documentElement);
    var lang = document.documentElement.lang || "fr";
    var hourFormat = new Intl.DateTimeFormat(lang, { weekday: "short", hour: "2-digit", minute: "2-digit" });
    var labels = data.labels.map(function (iso) { return hourFormat.format(new Date(iso)); });
    var flat = function (value) { return data.counts.map(function () { return value; }); };
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          { type: "bar", label: data.label, data: data.counts, backgroundColor: style.getPropertyValue("--danger").trim() || "#b42318" },
          { type: "line", label: data.threshold_label, data: flat(data.threshold), borderColor: style.getPropertyValue("--warning").trim() || "#8a5300", pointRadius: 0, borderDash: [6, 4] },
          { type: "line", label: data.mean_label, data: flat(data.mean), borderColor: style.getPropertyValue("--muted").trim() || "#666", pointRadius: 0 },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { autoSkip: true, maxRotation: 0 } } },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
