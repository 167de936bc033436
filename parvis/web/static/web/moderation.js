// Inbox behaviour of the moderation area (loaded by web/inbox.html).
// The "h" key is parvis.js's dispatcher: it clicks the [data-shortcut=hide] summary of the open
// conversation. Here: when a "hide under the charter" control opens, the clause list gets the
// focus (choose with the arrows, Tab to "Hide"); Escape closes it and gives the focus back.
(function () {
  "use strict";

  document.addEventListener(
    "toggle",
    function (event) {
      var control = event.target;
      if (!control.classList || !control.classList.contains("moderation-hide") || !control.open) return;
      var select = control.querySelector("select");
      if (select) select.focus();
    },
    true
  );

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = event.target.closest && event.target.closest("details.moderation-hide[open]");
    if (!open) return;
    open.removeAttribute("open");
    var summary = open.querySelector("summary");
    if (summary) summary.focus();
  });
})();

// The transparency page: decisions per clause as a bar chart (Chart.js, vendored by npm).
(function () {
  "use strict";

  function draw() {
    var data = document.getElementById("moderation-chart-data");
    var canvas = document.getElementById("moderation-chart");
    if (!data || !canvas || typeof window.Chart === "undefined") return;
    var chart = JSON.parse(data.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: chart.labels, datasets: [{ label: chart.title, data: chart.values, backgroundColor: "#4f46e5" }] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
