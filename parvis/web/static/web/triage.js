/* Triage: one-keystroke corrections in the inbox, and the accuracy chart of the triage page.
   In the inbox, "c" opens the correction menu of the selected message (the one chosen for the
   reply, else the latest received one); while it is open, 1..7 pick the class, + = - the
   sentiment, Esc closes it. Every control is a plain form button: this only makes it quicker. */
(function () {
  "use strict";

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function openMenu() {
    return document.querySelector("details.triage-correct[open]");
  }

  function targetMenu() {
    var pane = document.getElementById("conversation-pane") || document;
    var chosen = pane.querySelector(".msg.is-reply-target details.triage-correct");
    if (chosen) return chosen;
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".msg");
    if (focused && focused.querySelector("details.triage-correct")) return focused.querySelector("details.triage-correct");
    var all = pane.querySelectorAll("details.triage-correct");
    return all.length ? all[all.length - 1] : null;
  }

  function closeAll(except) {
    document.querySelectorAll("details.triage-correct[open]").forEach(function (item) {
      if (item !== except) item.open = false;
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    var menu = openMenu();
    if (menu) {
      if (event.key === "Escape") {
        menu.open = false;
        var summary = menu.querySelector("summary");
        if (summary) summary.focus();
        event.preventDefault();
        return;
      }
      var button = Array.prototype.find.call(menu.querySelectorAll("[data-triage-key]"), function (item) {
        return item.getAttribute("data-triage-key") === event.key;
      });
      if (button) {
        event.preventDefault();
        button.click();
      }
      return;
    }
    if (event.key === "c") {
      var next = targetMenu();
      if (!next) return;
      event.preventDefault();
      closeAll(next);
      next.open = true;
      var first = next.querySelector("button[aria-pressed='true']") || next.querySelector("button");
      if (first) first.focus();
    }
  });

  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("details.triage-correct") && event.target.open) closeAll(event.target);
  }, true);

  // --- the triage page ---------------------------------------------------------------------------

  function drawChart() {
    var canvas = document.getElementById("triage-chart");
    var source = document.getElementById("triage-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined" || canvas.getAttribute("data-drawn")) return;
    canvas.setAttribute("data-drawn", "true");
    var data = JSON.parse(source.textContent);
    var accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#0b6b63";
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.label_seed, data: data.seed, borderColor: "#8a8f98", backgroundColor: "#8a8f98", borderDash: [6, 4], spanGaps: true },
          { label: data.label_new, data: data.new, borderColor: accent, backgroundColor: accent, spanGaps: true },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: data.axis } } },
      },
    });
  }

  // A training finished (the progress box says so): show the new figures.
  document.addEventListener("triage-trained", function () {
    window.location.reload();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawChart);
  } else {
    drawChart();
  }
})();
