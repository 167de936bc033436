/* Composer: variant tabs (one per chosen account), hand-written variants, Ctrl+Enter to publish.
   The page works without it: every panel is shown and the form posts normally. */
(function () {
  "use strict";

  function form() {
    return document.querySelector("form[data-composer]");
  }

  function chosenAccounts(root) {
    var ids = {};
    root.querySelectorAll("#compose-accounts input[type=checkbox]").forEach(function (box) {
      if (box.checked) ids[box.value] = true;
    });
    return ids;
  }

  function select(tab) {
    var root = form();
    if (!root || !tab) return;
    root.querySelectorAll("[data-variant-tabs] [role=tab]").forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    });
  }

  function syncTabs() {
    var root = form();
    if (!root) return;
    var ids = chosenAccounts(root);
    var tabs = Array.prototype.slice.call(root.querySelectorAll("[data-variant-tabs] [role=tab]"));
    var visible = tabs.filter(function (tab) {
      var shown = Boolean(ids[tab.getAttribute("data-account")]);
      tab.hidden = !shown;
      if (!shown) {
        var panel = document.getElementById(tab.getAttribute("aria-controls"));
        if (panel) panel.hidden = true;
      }
      return shown;
    });
    var section = root.querySelector(".variants");
    if (section) section.hidden = visible.length === 0;
    var current = visible.filter(function (tab) { return tab.getAttribute("aria-selected") === "true"; })[0];
    select(current || visible[0]);
  }

  function markProblems() {
    var root = form();
    if (!root) return;
    root.querySelectorAll("[data-variant-tabs] [role=tab]").forEach(function (tab) {
      var check = document.getElementById("variant-check-" + tab.getAttribute("data-account"));
      tab.classList.toggle("is-problem", Boolean(check && check.querySelector(".preview-problems")));
    });
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest("[data-variant-tabs] [role=tab]");
    if (tab) select(tab);
  });

  document.addEventListener("keydown", function (event) {
    var root = form();
    if (!root) return;
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && root.contains(event.target)) {
      event.preventDefault();
      var primary = root.querySelector("[data-primary]");
      if (primary && !primary.disabled) root.requestSubmit(primary);
      return;
    }
    var tab = event.target.closest && event.target.closest("[data-variant-tabs] [role=tab]");
    if (!tab || (event.key !== "ArrowRight" && event.key !== "ArrowLeft" && event.key !== "Home" && event.key !== "End")) return;
    var tabs = Array.prototype.slice.call(root.querySelectorAll("[data-variant-tabs] [role=tab]:not([hidden])"));
    var index = tabs.indexOf(tab);
    var next = event.key === "Home" ? 0 : event.key === "End" ? tabs.length - 1
      : (index + (event.key === "ArrowRight" ? 1 : -1) + tabs.length) % tabs.length;
    event.preventDefault();
    select(tabs[next]);
    tabs[next].focus();
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches) return;
    if (target.matches("#compose-accounts input[type=checkbox]")) syncTabs();
    if (target.matches("[data-variant-custom]") && target.checked) {
      // Start the hand-written variant from the common text.
      var panel = target.closest(".variant-panel");
      var text = panel && panel.querySelector("[data-variant-text]");
      var common = document.querySelector("[data-compose-text]");
      if (text && common && !text.value.trim()) text.value = common.value;
      if (text) text.focus();
    }
  });

  document.addEventListener("htmx:afterSettle", markProblems);
  document.addEventListener("DOMContentLoaded", syncTabs);
})();
