// Live updates for the agent console: same-origin polling of the session-protected JSON
// endpoints. Everything is written with textContent, never as HTML.
(function () {
  "use strict";
  var PREFIX = "/agent";
  var INTERVAL_MS = 3000;

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "";
    var m = Math.floor(seconds / 60);
    return m >= 60 ? Math.floor(m / 60) + " h " + (m % 60) + " min" : m + " min";
  }

  function poll(url, render) {
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (r.status === 401) { window.location.href = PREFIX + "/login"; throw new Error("signed out"); }
          return r.json();
        })
        .then(render)
        .catch(function () {})
        .finally(function () { setTimeout(tick, INTERVAL_MS); });
    }
    setTimeout(tick, INTERVAL_MS);
  }

  function renderQueue(data) {
    var body = document.getElementById("queue-body");
    if (!body) return;
    body.textContent = "";
    data.cases.forEach(function (c) {
      var row = el("tr", null, { "data-reference": c.reference });
      if (c.waiting) row.className = "waiting-row";
      var link = el("a", c.reference, { href: PREFIX + "/cases/" + encodeURIComponent(c.reference) });
      var first = el("td"); first.appendChild(link); row.appendChild(first);
      var wait = el("td"); if (c.waiting) wait.appendChild(el("span", minutes(c.waiting_seconds), { "class": "waiting" }));
      row.appendChild(wait);
      var labels = c.labels || {};
      [labels.status, labels.reason, c.company_name, c.region || "unknown", labels.routed_to, c.assigned_to, c.channel].forEach(function (v) {
        row.appendChild(el("td", v === null ? "" : v));
      });
      body.appendChild(row);
    });
    var updated = document.getElementById("queue-updated");
    if (updated) updated.textContent = "Updated " + new Date().toLocaleTimeString() + ".";
  }

  function renderCase(data) {
    var list = document.getElementById("transcript");
    if (list && data.transcript) {
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
    }
    var status = document.querySelector("#case-status strong");
    if (status) status.textContent = (data.labels && data.labels.status) || data.status;
  }

  function renderDashboard(data) {
    var list = document.getElementById("waiting-list");
    if (!list) return;
    list.textContent = "";
    if (!data.waiting_chats.length) list.appendChild(el("li", "Nobody is waiting.", { "class": "muted" }));
    data.waiting_chats.forEach(function (w) {
      var item = el("li");
      item.appendChild(el("a", w.reference, { href: PREFIX + "/cases/" + encodeURIComponent(w.reference) }));
      item.appendChild(document.createTextNode(" waiting " + minutes(w.waiting_seconds)));
      list.appendChild(item);
    });
    var count = document.querySelector("#waiting-count .big");
    if (count) count.textContent = String(data.waiting_chats.length);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.body.getAttribute("data-page");
    if (page === "queue") poll(PREFIX + "/queue.json" + window.location.search, renderQueue);
    if (page === "dashboard") poll(PREFIX + "/dashboard.json", renderDashboard);
    if (page === "case") {
      var ref = document.getElementById("case-status").getAttribute("data-reference");
      poll(PREFIX + "/cases/" + encodeURIComponent(ref) + "/live.json", renderCase);
    }
  });
})();
