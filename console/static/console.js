// Live updates for the agent console: same-origin polling of the session-protected JSON
// endpoints, clocks that tick between polls, times in the agent's own time zone, and keyboard
// shortcuts. Everything is written with textContent, never as HTML.
(function () {
  "use strict";
  var PREFIX = "/agent";
  var INTERVAL_MS = 3000;
  var QUEUE_COLUMNS = 11; // console/views.py QUEUE_COLUMNS

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  // The same words as console/views.py _minutes: "4 min", "1 h 5 min", "2 d 3 h".
  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "";
    var m = Math.floor(Math.abs(seconds) / 60);
    if (m >= 24 * 60) return Math.floor(m / (24 * 60)) + " d " + (Math.floor(m / 60) % 24) + " h";
    return m >= 60 ? Math.floor(m / 60) + " h " + (m % 60) + " min" : m + " min";
  }

  // Waits and first-reply targets come as seconds from the server's clock; they tick here
  // from the moment they were drawn, so a browser clock that is off does not matter.
  function stamp(node) { node.setAttribute("data-drawn", String(Date.now())); return node; }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-waited]").forEach(function (node) {
      var drawn = Number(node.getAttribute("data-drawn") || now);
      node.textContent = minutes(Number(node.getAttribute("data-waited")) + (now - drawn) / 1000);
    });
    document.querySelectorAll("[data-due-in]").forEach(function (node) {
      var drawn = Number(node.getAttribute("data-drawn") || now);
      var left = Number(node.getAttribute("data-due-in")) - (now - drawn) / 1000;
      node.textContent = left > 0 ? "in " + minutes(left) : "overdue " + minutes(left);
      node.className = left > 0 ? "due" : "due overdue";
    });
  }

  function waitBadge(seconds) { return stamp(el("span", minutes(seconds), { "class": "waiting", "data-waited": String(seconds) })); }

  function dueBadge(due) {
    if (!due) return null;
    return stamp(el("span", "", { "class": "due", "data-due-in": String(due.due_in_seconds) }));
  }

  // Times in the agent's own time zone, from the machine-readable instant the server wrote.
  var FORMAT = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "numeric", minute: "2-digit", timeZoneName: "short"
  });

  function localTimes(root) {
    (root || document).querySelectorAll("time[datetime]").forEach(function (node) {
      var instant = new Date(node.getAttribute("datetime"));
      if (!isNaN(instant.getTime())) node.textContent = FORMAT.format(instant);
    });
  }

  function poll(url, render) {
    function again() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (r.status === 401) { window.location.href = PREFIX + "/login"; throw new Error("signed out"); }
          return r.json();
        })
        .then(render)
        .catch(function () {})
        .finally(function () { setTimeout(again, INTERVAL_MS); });
    }
    setTimeout(again, INTERVAL_MS);
  }

  // The case page's updates are pushed (server-sent events); where that fails, it polls live.json.
  function live(base, render) {
    if (typeof window.EventSource !== "function") {
      poll(base + "/live.json", render);
      return;
    }
    var source = new window.EventSource(base + "/events");
    var received = false;
    source.onmessage = function (event) {
      received = true;
      document.body.setAttribute("data-live", "events");
      try { render(JSON.parse(event.data)); } catch (error) { /* a malformed event: wait for the next */ }
    };
    source.onerror = function () {
      // Closed for good (signed out, a proxy that buffers), or never working: poll instead. A stream that
      // worked and dropped is reopened by the browser itself.
      if (source.readyState === window.EventSource.CLOSED || !received) {
        source.close();
        document.body.setAttribute("data-live", "polling");
        poll(base + "/live.json", render);
      }
    };
  }

  function cell(row, content) {
    var td = el("td");
    if (content instanceof Node) td.appendChild(content);
    else if (content !== null && content !== undefined) td.textContent = String(content);
    row.appendChild(td);
  }

  function renderQueue(data) {
    var body = document.getElementById("queue-body");
    if (!body) return;
    body.textContent = "";
    data.cases.forEach(function (c) {
      var row = el("tr", null, { "data-reference": c.reference });
      if (c.waiting) row.className = "waiting-row";
      var labels = c.labels || {};
      cell(row, el("a", c.reference, { href: PREFIX + "/cases/" + encodeURIComponent(c.reference) }));
      cell(row, c.waiting ? waitBadge(c.waiting_seconds) : null);
      cell(row, dueBadge(c.first_response));
      cell(row, c.company_name);
      cell(row, c.region || "unknown");
      cell(row, labels.reason);
      cell(row, c.last_message ? el("span", c.last_message.text, { "class": "preview" }) : null);
      cell(row, labels.status);
      cell(row, c.assigned_to);
      cell(row, labels.routed_to);
      cell(row, c.channel);
      if (row.children.length !== QUEUE_COLUMNS) throw new Error("queue columns out of step");
      body.appendChild(row);
    });
    tick();
    var updated = document.getElementById("queue-updated");
    if (updated) updated.textContent = "Updated " + new Date().toLocaleTimeString() + ".";
  }

  function renderCase(data) {
    var list = document.getElementById("transcript");
    if (list && data.transcript) {
      var atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
      list.textContent = "";
      data.transcript.forEach(function (line) {
        var who = line.from;
        var label = who === "customer" ? "Customer" : who === "assistant" ? "Assistant" : who === "system" ? "" : who.slice(6) + " (agent)";
        var item = el("li", null, { "class": "msg " + (who.indexOf("agent:") === 0 ? "agent" : who) });
        item.appendChild(el("span", label + (line.while_paused ? " (while paused)" : ""), { "class": "from" }));
        item.appendChild(document.createTextNode(" "));
        item.appendChild(el("span", line.text, { "class": "text" }));
        list.appendChild(item);
      });
      if (atBottom) list.scrollTop = list.scrollHeight;
    }
    var status = document.querySelector("#case-status strong");
    if (status) status.textContent = (data.labels && data.labels.status) || data.status;
    var typing = document.getElementById("customer-typing");
    if (typing) typing.hidden = !data.customer_typing;
  }

  // While the agent types a reply, the customer's chat says so (reported at most every 3 seconds).
  function reportTyping(reference) {
    var box = document.getElementById("text-reply");
    var csrf = document.querySelector('input[name="csrf_token"]');
    if (!box || !csrf) return;
    var last = 0;
    box.addEventListener("input", function () {
      var now = Date.now();
      if (now - last < 3000 || !box.value.trim()) return;
      last = now;
      fetch(PREFIX + "/cases/" + encodeURIComponent(reference) + "/typing", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf.value, Accept: "application/json" },
      }).catch(function () {});
    });
  }

  function renderDashboard(data) {
    var list = document.getElementById("waiting-list");
    if (!list) return;
    list.textContent = "";
    if (!data.waiting_chats.length) list.appendChild(el("li", "Nobody is waiting.", { "class": "muted" }));
    data.waiting_chats.forEach(function (w) {
      var item = el("li");
      item.appendChild(el("a", w.reference, { href: PREFIX + "/cases/" + encodeURIComponent(w.reference) }));
      item.appendChild(document.createTextNode(" waiting "));
      item.appendChild(waitBadge(w.waiting_seconds));
      list.appendChild(item);
    });
    var count = document.querySelector("#waiting-count .big");
    if (count) count.textContent = String(data.waiting_chats.length);
  }

  // The next case to work: the queue's first waiting chat (longest wait first) that is not this one,
  // else the next case in the queue's order.
  function openNextCase(current) {
    fetch(PREFIX + "/queue.json", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var others = data.cases.filter(function (c) { return c.reference !== current; });
        var next = others.filter(function (c) { return c.waiting; })[0] || others[0];
        if (next) window.location.href = PREFIX + "/cases/" + encodeURIComponent(next.reference);
        else announce("No other case is waiting.");
      })
      .catch(function () {});
  }

  function announce(text) {
    var region = document.getElementById("shortcut-status");
    if (region) region.textContent = text;
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function shortcuts(reference) {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey && event.key === "Enter" && event.target.tagName === "TEXTAREA") {
        var form = event.target.form;
        var button = form && form.querySelector("button[type=submit]");
        if (button && !button.disabled) { event.preventDefault(); form.requestSubmit(button); }
        return;
      }
      if (event.key === "Escape" && typing(event.target)) { event.target.blur(); return; }
      if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      var field = { r: "text-reply", n: "text-note" }[event.key];
      if (field && document.getElementById(field)) {
        event.preventDefault();
        document.getElementById(field).focus();
      } else if (event.key === "j") {
        event.preventDefault();
        openNextCase(reference);
      }
    });
  }

  // A saved reply, already filled for this case, goes into the reply box to be read and edited first.
  function savedReplies() {
    var picker = document.getElementById("saved-reply");
    if (!picker) return;
    picker.addEventListener("change", function () {
      var chosen = picker.options[picker.selectedIndex];
      var box = document.getElementById(picker.getAttribute("data-fills"));
      if (!chosen || !chosen.value || !box) return;
      box.value = chosen.getAttribute("data-text");
      picker.selectedIndex = 0;
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-waited], [data-due-in]").forEach(stamp);
    localTimes();
    tick();
    setInterval(tick, 1000);
    var page = document.body.getAttribute("data-page");
    if (page === "queue") poll(PREFIX + "/queue.json" + window.location.search, renderQueue);
    if (page === "dashboard") poll(PREFIX + "/dashboard.json", renderDashboard);
    if (page === "case") {
      savedReplies();
      var ref = document.getElementById("case-status").getAttribute("data-reference");
      live(PREFIX + "/cases/" + encodeURIComponent(ref), renderCase);
      reportTyping(ref);
      shortcuts(ref);
    }
  });
})();
