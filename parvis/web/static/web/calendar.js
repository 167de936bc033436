/* Parvis editorial calendar: move posts by drag and drop, or with the keyboard.
   Keyboard: focus a post, Space (or M) picks it up, the arrow keys choose the day (month view)
   or the day and time slot (week view), Enter confirms, Escape cancels.
   Every move is a POST to the calendar's move endpoint; the server decides (published posts,
   times skipped by the clock change and past times are refused with a message).
   Without JavaScript, the list under the grid has a move form for every post. */
(function () {
  "use strict";

  var root = document.querySelector("[data-calendar]");
  if (!root) return;
  var moveUrl = root.getAttribute("data-move-url");
  var view = root.getAttribute("data-view");
  var statusRegion = document.getElementById("calendar-status");
  var messageBox = document.getElementById("calendar-message");
  var dragging = null;
  var picked = null; // {chip, origin, candidate}

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      return match ? decodeURIComponent(match[1]) : "";
    }
  }

  function announce(text) {
    if (statusRegion) statusRegion.textContent = text;
  }

  function showMessage(text, ok) {
    if (!messageBox) return;
    messageBox.hidden = false;
    messageBox.className = "message " + (ok ? "message-success" : "message-error");
    messageBox.textContent = text;
  }

  function movable(chip) {
    return chip.getAttribute("data-movable") === "true";
  }

  function cells() {
    return Array.prototype.slice.call(root.querySelectorAll("[data-drop], [data-gap]"));
  }

  function cellOf(chip) {
    return chip.closest("[data-drop]");
  }

  function move(chip, target) {
    var body = new URLSearchParams();
    body.set("post", chip.getAttribute("data-post-id"));
    body.set("date", target.getAttribute("data-date"));
    if (view === "week" && target.getAttribute("data-time")) body.set("time", target.getAttribute("data-time"));
    chip.classList.add("is-saving");
    return fetch(moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: body.toString()
    })
      .then(function (response) {
        return response.json().catch(function () {
          return { ok: false, message: response.status + " " + response.statusText };
        });
      })
      .then(function (data) {
        chip.classList.remove("is-saving");
        if (data.ok) {
          target.appendChild(chip);
          chip.setAttribute("data-date", data.date);
          chip.setAttribute("data-time", data.time);
          var time = chip.querySelector(".chip-time");
          if (time) time.textContent = data.time;
        }
        showMessage(data.message, data.ok);
        announce(data.message);
        chip.focus();
        return data;
      })
      .catch(function () {
        chip.classList.remove("is-saving");
        showMessage(root.getAttribute("data-error") || "Network error: the post was not moved.", false);
      });
  }

  /* --- drag and drop --- */
  root.addEventListener("dragstart", function (event) {
    var chip = event.target.closest && event.target.closest(".calendar-chip");
    if (!chip || !movable(chip)) {
      if (chip) event.preventDefault();
      return;
    }
    dragging = chip;
    chip.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.getAttribute("data-post-id"));
  });

  root.addEventListener("dragend", function () {
    if (dragging) dragging.classList.remove("is-dragging");
    dragging = null;
    root.querySelectorAll(".is-drop-target").forEach(function (cell) { cell.classList.remove("is-drop-target"); });
  });

  root.addEventListener("dragover", function (event) {
    var cell = event.target.closest && event.target.closest("[data-drop]");
    if (!dragging || !cell) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    root.querySelectorAll(".is-drop-target").forEach(function (other) {
      if (other !== cell) other.classList.remove("is-drop-target");
    });
    cell.classList.add("is-drop-target");
  });

  root.addEventListener("drop", function (event) {
    var cell = event.target.closest && event.target.closest("[data-drop]");
    if (!dragging || !cell) return;
    event.preventDefault();
    cell.classList.remove("is-drop-target");
    var chip = dragging;
    dragging = null;
    if (cell !== cellOf(chip)) move(chip, cell);
  });

  /* --- keyboard --- */
  function setCandidate(cell) {
    if (picked.candidate) picked.candidate.classList.remove("is-candidate");
    picked.candidate = cell;
    cell.classList.add("is-candidate");
    cell.scrollIntoView({ block: "nearest", inline: "nearest" });
    announce(cell.getAttribute("data-label") || cell.getAttribute("data-date"));
  }

  function pick(chip) {
    if (!movable(chip)) {
      showMessage(root.getAttribute("data-frozen") || chip.textContent, false);
      return;
    }
    picked = { chip: chip, origin: cellOf(chip), candidate: null };
    chip.classList.add("is-picked");
    chip.setAttribute("aria-grabbed", "true");
    setCandidate(picked.origin);
  }

  function drop(confirm) {
    if (!picked) return;
    var state = picked;
    picked = null;
    state.chip.classList.remove("is-picked");
    state.chip.removeAttribute("aria-grabbed");
    if (state.candidate) state.candidate.classList.remove("is-candidate");
    if (confirm && state.candidate && state.candidate !== state.origin) {
      move(state.chip, state.candidate);
    } else {
      announce(root.getAttribute("data-cancelled") || "");
      state.chip.focus();
    }
  }

  function step(offset) {
    var all = cells();
    var index = all.indexOf(picked.candidate);
    var next = index;
    do {
      next += offset;
    } while (next >= 0 && next < all.length && all[next].hasAttribute("data-gap"));
    if (next >= 0 && next < all.length) setCandidate(all[next]);
  }

  root.addEventListener("keydown", function (event) {
    var chip = event.target.closest && event.target.closest(".calendar-chip");
    if (!chip) return;
    if (!picked) {
      if (event.key === " " || event.key === "m" || event.key === "M") {
        event.preventDefault();
        pick(chip);
      } else if (event.key === "Enter") {
        var link = chip.querySelector("a");
        if (link) link.click();
      }
      return;
    }
    var moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    if (event.key in moves) {
      event.preventDefault();
      step(moves[event.key]);
    } else if (event.key === "Enter") {
      event.preventDefault();
      drop(true);
    } else if (event.key === "Escape") {
      event.preventDefault();
      drop(false);
    }
  });

  root.addEventListener("focusout", function (event) {
    if (picked && event.target === picked.chip && !root.contains(event.relatedTarget)) drop(false);
  });
})();
