/* Short links: the chart of clicks per day (Chart.js, served from node_modules).
   The same figures are in the table under it, for keyboards, screen readers and no-JS. */
(function () {
  "use strict";

  function draw() {
    var canvas = document.getElementById("links-chart");
    var source = document.getElementById("links-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || "fr";
    var dayFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short" });
    var labels = data.labels.map(function (iso) {
      var parts = iso.split("-");
      return dayFormat.format(new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2])));
    });
    var accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#0b6b63";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [{ label: data.label, data: data.counts, backgroundColor: accent, borderRadius: 3 }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
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
