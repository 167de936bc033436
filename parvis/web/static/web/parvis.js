/* Parvis: the little JavaScript the pages need on top of htmx.
   Keyboard shortcuts of the inbox, the reply counter, "reply to this", confirmations.
   Every page works without it; this only makes it quicker. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var NOT_TEXT = ["checkbox", "radio", "button", "submit", "reset"];

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    if (tag === "input" && NOT_TEXT.indexOf((target.type || "").toLowerCase()) !== -1) return false;
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  // Inbox shortcuts that act on "the first visible [data-shortcut=name]": with rows selected, in the
  // bulk bar first; then in the open conversation. A field gets the focus, anything else is clicked.
  // Other areas only add an element with the attribute (c: correct the class, g: answer the group,
  // h: hide under the charter) and the key works.
  var SHORTCUTS = { e: "done", a: "assign", l: "label", n: "note", r: "reply", ";": "saved-reply", c: "correct", g: "group", h: "hide" };

  function isVisible(element) {
    return Boolean(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  function selectedRows() {
    return document.querySelectorAll("#conversation-list [data-row-check]:checked");
  }

  function runShortcut(name) {
    var scopes = [];
    if (selectedRows().length) scopes.push(document.getElementById("bulk-form"));
    scopes.push(document.getElementById("conversation-pane"));
    for (var i = 0; i < scopes.length; i++) {
      if (!scopes[i]) continue;
      var candidates = scopes[i].querySelectorAll("[data-shortcut='" + name + "']");
      for (var j = 0; j < candidates.length; j++) {
        var element = candidates[j];
        if (!isVisible(element) || element.disabled) continue;
        var tag = element.tagName.toLowerCase();
        if (tag === "textarea" || tag === "select" || (tag === "input" && NOT_TEXT.indexOf(element.type) === -1)) {
          element.focus();
        } else {
          element.click();
        }
        return true;
      }
    }
    return false;
  }

  function toggleRowSelection() {
    var row = document.activeElement && document.activeElement.closest && document.activeElement.closest("[data-row]");
    if (!row) {
      var current = document.querySelector("#conversation-list .row-link[aria-current]");
      row = current ? current.closest("[data-row]") : null;
    }
    var box = row ? row.querySelector("[data-row-check]") : null;
    if (!box) return false;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#conversation-list .row-link"));
  }

  function moveSelection(step) {
    var links = rows();
    if (!links.length) return;
    var index = links.indexOf(document.activeElement);
    if (index === -1) {
      var current = document.querySelector("#conversation-list .row-link[aria-current]");
      index = current ? links.indexOf(current) : (step > 0 ? -1 : links.length);
    }
    var next = Math.min(links.length - 1, Math.max(0, index + step));
    links[next].focus();
    links[next].scrollIntoView({ block: "nearest" });
  }

  function markCurrentRow() {
    var pane = document.querySelector("#conversation-pane [data-conversation-id]");
    var id = pane ? pane.getAttribute("data-conversation-id") : null;
    rows().forEach(function (link) {
      if (id && link.getAttribute("data-conversation-id") === id) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    });
    var inbox = document.querySelector(".inbox");
    if (inbox) inbox.classList.toggle("has-conversation", Boolean(id));
  }

  function updateCounter(textarea) {
    var output = document.getElementById(textarea.getAttribute("data-counter"));
    if (!output) return;
    var max = parseInt(textarea.getAttribute("data-max"), 10) || 0;
    // Code points, not UTF-16 units: an emoji counts once, as networks count it.
    var count = Array.from(textarea.value).length;
    var template = output.getAttribute("data-template") || output.textContent;
    if (!output.getAttribute("data-template")) {
      output.setAttribute("data-template", template.replace(/^\s*\d+/, "{count}"));
    }
    output.textContent = output.getAttribute("data-template").replace("{count}", String(count));
    output.classList.toggle("is-over", max > 0 && count > max);
  }

  function initCounters(root) {
    (root || document).querySelectorAll("textarea[data-counter]").forEach(updateCounter);
  }

  function openShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && isTyping(event.target)) {
      event.target.blur();
      return;
    }
    if (isTyping(event.target)) return;
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    switch (event.key) {
      case "j":
        moveSelection(1);
        break;
      case "k":
        moveSelection(-1);
        break;
      case "x":
        if (!toggleRowSelection()) return;
        break;
      case "/": {
        var filter = document.querySelector("[data-filters] input:not([type=hidden]), [data-filters] select");
        if (!filter) return;
        filter.focus();
        break;
      }
      case "?":
        openShortcuts();
        break;
      default:
        if (!SHORTCUTS[event.key] || !runShortcut(SHORTCUTS[event.key])) return;
    }
    event.preventDefault();
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-counter]")) updateCounter(event.target);
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-shortcuts-open]");
    if (opener) {
      openShortcuts();
      return;
    }
    var link = event.target.closest && event.target.closest("[data-reply-to]");
    if (!link) return;
    var hidden = document.getElementById("reply-in-reply-to");
    var textarea = document.getElementById("reply-text");
    if (!hidden || !textarea) return;
    event.preventDefault();
    hidden.value = link.getAttribute("data-reply-to");
    var label = document.getElementById("reply-target");
    var handle = link.getAttribute("data-reply-label");
    if (label && handle) label.textContent = label.getAttribute("data-template").replace("__HANDLE__", handle);
    document.querySelectorAll(".msg.is-reply-target").forEach(function (item) {
      item.classList.remove("is-reply-target");
    });
    var item = link.closest(".msg");
    if (item) item.classList.add("is-reply-target");
    textarea.focus();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    markCurrentRow();
    initCounters(event.target);
  });

  document.addEventListener("DOMContentLoaded", function () {
    markCurrentRow();
    initCounters(document);
  });
})();
