/* Inbox: bulk selection, live updates that do not get in the way, saved replies in the reply box.
   Keyboard shortcuts are in parvis.js (one dispatcher: key -> [data-shortcut=name]).
   Everything here is an enhancement: without JavaScript the forms post and the pages reload. */
(function () {
  "use strict";

  var lastChecked = null;
  var preserved = null; // {ids: [...], focus: "id"} kept across a refresh of the list

  function checks() {
    return Array.prototype.slice.call(document.querySelectorAll("#conversation-list [data-row-check]"));
  }

  function checkedIds() {
    return checks()
      .filter(function (box) { return box.checked; })
      .map(function (box) { return box.value; });
  }

  function updateBulkBar() {
    var bar = document.querySelector("[data-bulk-bar]");
    if (!bar) return;
    var count = checkedIds().length;
    bar.classList.toggle("is-active", count > 0);
    var output = bar.querySelector("[data-bulk-count]");
    if (output) output.textContent = (output.getAttribute("data-template") || "{count}").replace("{count}", String(count));
    checks().forEach(function (box) {
      var row = box.closest("[data-row]");
      if (row) row.classList.toggle("is-selected", box.checked);
    });
  }

  function isTyping() {
    var element = document.activeElement;
    if (!element || !element.tagName) return false;
    var tag = element.tagName.toLowerCase();
    if (tag === "input") return ["checkbox", "radio", "button", "submit"].indexOf(element.type) === -1;
    return tag === "textarea" || tag === "select" || element.isContentEditable;
  }

  function focusedConversationId() {
    var element = document.activeElement;
    var row = element && element.closest && element.closest("#conversation-list [data-row]");
    return row ? row.getAttribute("data-conversation-id") : null;
  }

  function refreshList() {
    var list = document.getElementById("conversation-list");
    if (list && window.htmx) window.htmx.trigger(list, "inbox-refresh");
  }

  // Selection: a checkbox per row (x toggles the focused one); shift+click selects a range.
  document.addEventListener("click", function (event) {
    var box = event.target.closest && event.target.closest("[data-row-check]");
    if (box) {
      if (event.shiftKey && lastChecked && lastChecked !== box) {
        var all = checks();
        var from = all.indexOf(lastChecked);
        var to = all.indexOf(box);
        if (from !== -1 && to !== -1) {
          all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (item) {
            item.checked = box.checked;
          });
        }
      }
      lastChecked = box;
      updateBulkBar();
      return;
    }
    if (event.target.closest && event.target.closest("[data-bulk-clear]")) {
      checks().forEach(function (item) { item.checked = false; });
      updateBulkBar();
      return;
    }
    if (event.target.closest && event.target.closest("[data-live-show]")) {
      refreshList();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-row-check]")) updateBulkBar();
  });

  // The list is swapped whole (filters, actions, live updates): keep the selection and the keyboard
  // position, except after a bulk action, which consumes the selection.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "conversation-list") return;
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var fromBulk = source && source.closest && source.closest("[data-bulk-bar]");
    preserved = { ids: fromBulk ? [] : checkedIds(), focus: focusedConversationId() };
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.target; // the new element (the swap is outerHTML)
    if (target && target.id === "inbox-live") {
      var count = parseInt(target.getAttribute("data-live-count"), 10) || 0;
      // New items go in by themselves unless the person is typing or has rows selected;
      // then the notice "N new — show" waits for them.
      if (count > 0 && !isTyping() && checkedIds().length === 0) refreshList();
      return;
    }
    if (!preserved || !document.getElementById("conversation-list")) return;
    var keep = preserved;
    preserved = null;
    checks().forEach(function (box) {
      if (keep.ids.indexOf(box.value) !== -1) box.checked = true;
    });
    if (keep.focus) {
      var link = document.querySelector("#conversation-list .row-link[data-conversation-id='" + keep.focus + "']");
      if (link) link.focus({ preventScroll: true });
    }
    updateBulkBar();
  });

  // The filters change the address (hx-push-url) without reloading the page: forms that carry the
  // current filters read them from the address when they are sent.
  function currentQuery() {
    var params = new URLSearchParams(window.location.search);
    params.delete("after");
    params.delete("reply_to");
    params.delete("saved_reply");
    return params.toString();
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    if (source && source.closest && source.closest("[data-bulk-bar]")) {
      event.detail.parameters.filter_query = currentQuery();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("[data-save-view]");
    if (!form) return;
    var query = form.querySelector("input[name=query]");
    if (query) query.value = currentQuery();
  });

  // Saved replies: filled in for the message being answered, inserted where the cursor is.
  document.addEventListener("submit", function (event) {
    var picker = event.target.closest && event.target.closest("[data-saved-reply-picker]");
    if (!picker) return;
    var select = picker.querySelector("select");
    var option = select && select.options[select.selectedIndex];
    var url = option && option.getAttribute("data-render-url");
    var textarea = document.getElementById("reply-text");
    if (!url || !textarea || !window.fetch) return; // the form reloads the conversation with the text
    event.preventDefault();
    var target = document.getElementById("reply-in-reply-to");
    var messageId = (target && target.value) || picker.querySelector("[data-saved-reply-message]").value;
    window
      .fetch(url + "?message=" + encodeURIComponent(messageId), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        var start = textarea.selectionStart || 0;
        var end = textarea.selectionEnd || 0;
        var before = textarea.value.slice(0, start);
        var after = textarea.value.slice(end);
        textarea.value = before + data.text + after;
        var caret = before.length + data.text.length;
        textarea.focus();
        textarea.setSelectionRange(caret, caret);
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
        var warning = picker.querySelector("[data-saved-reply-warning]");
        if (warning) warning.textContent = data.warning || "";
      })
      .catch(function () {
        picker.submit();
      });
  });

  document.addEventListener("htmx:afterSettle", function () {
    updateBulkBar();
  });

  document.addEventListener("DOMContentLoaded", updateBulkBar);
})();
