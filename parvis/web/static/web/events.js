/* Parvis live events: the live composer and the live wall, from the keyboard.
   Ctrl+Enter publishes; Alt+1..9 (or 1..9 outside the text box) inserts a prepared post;
   n writes; j/k move along the wall; s stars, q marks a question, x hides the post in focus.
   The pages work without it: forms post and redirect. */
(function () {
  "use strict";

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function liveText() {
    return document.getElementById("live-text");
  }

  function insertPrepared(button) {
    var textarea = liveText();
    if (!textarea || !button) return;
    // Text goes in as text (value), never as HTML.
    textarea.value = button.getAttribute("data-prepared-text") || "";
    var hidden = document.getElementById("live-prepared");
    if (hidden) hidden.value = button.getAttribute("data-prepared-id") || "";
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    document.body.dispatchEvent(new CustomEvent("live:inserted"));
  }

  function preparedByNumber(number) {
    return document.querySelector('[data-prepared-key="' + number + '"]');
  }

  function digitOf(event) {
    // event.code stays "Digit1" whatever Alt produces on the keyboard layout (macOS, AZERTY).
    var match = /^(?:Digit|Numpad)([1-9])$/.exec(event.code || "");
    if (match) return match[1];
    return /^[1-9]$/.test(event.key) ? event.key : null;
  }

  function wallItems() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-wall-item]"));
  }

  function currentWallItem() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("[data-wall-item]") : null;
  }

  function moveOnWall(step) {
    var items = wallItems();
    if (!items.length) return;
    var index = items.indexOf(currentWallItem());
    var next = index === -1 ? (step > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, index + step));
    items[next].focus();
    items[next].scrollIntoView({ block: "nearest" });
  }

  function pressOnWall(key) {
    var item = currentWallItem();
    if (!item) return false;
    var button = item.querySelector('[data-wall-key="' + key + '"]');
    if (!button) return false;
    button.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-live]")) return;
    var form = document.querySelector("[data-live-form]");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && form && form.contains(event.target)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    var digit = digitOf(event);
    if (digit && event.altKey && !event.ctrlKey && !event.metaKey) {
      var prepared = preparedByNumber(digit);
      if (prepared) {
        event.preventDefault();
        insertPrepared(prepared);
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    if (digit) {
      var button = preparedByNumber(digit);
      if (!button) return;
      event.preventDefault();
      insertPrepared(button);
      return;
    }
    switch (event.key) {
      case "n": {
        var textarea = liveText();
        if (!textarea) return;
        textarea.focus();
        break;
      }
      case "j":
        moveOnWall(1);
        break;
      case "k":
        moveOnWall(-1);
        break;
      case "s":
      case "q":
      case "x":
        if (!pressOnWall(event.key)) return;
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    var button = event.target.closest && event.target.closest("[data-prepared-id]");
    if (!button) return;
    event.preventDefault();
    insertPrepared(button);
  });

  // A post refused by a network comes back as 400 with the reasons: show them in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.id === "live-sent") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Once published: an empty text box, ready for the next post.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("[data-live-form]") || !event.detail.successful) return;
    var textarea = liveText();
    if (textarea) {
      textarea.value = "";
      textarea.focus();
    }
    var hidden = document.getElementById("live-prepared");
    if (hidden) hidden.value = "";
    document.body.dispatchEvent(new CustomEvent("live:inserted"));
  });

  // Keep the wall item in focus across a star, a hide or a refresh of the wall.
  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail.target;
    if (swapped && swapped.id && swapped.id.indexOf("wall-item-") === 0) {
      var again = document.getElementById(swapped.id);
      if (again) again.focus();
    }
  });
})();
