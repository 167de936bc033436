/* Response-time report: requests per day, within the SLA / breached / waiting (Chart.js from node_modules).
   The figures are also in the tables of the page, for keyboards, screen readers and no-JS. */
(function () {
  "use strict";

  function draw() {
    var canvas = document.getElementById("sla-chart");
    var source = document.getElementById("sla-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var style = getComputedStyle(document.documentElement);
    var lang = document.documentElement.lang || "fr";
    var dayFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short" });
    var labels = data.labels.map(function (iso) {
      var parts = iso.split("-");
      return dayFormat.format(new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2])));
    });
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: data.series.map(function (serie) {
          return { label: serie.label, data: serie.data, backgroundColor: style.getPropertyValue(serie.color).trim() || "#888" };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true, ticks: { autoSkip: true, maxRotation: 0 } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
