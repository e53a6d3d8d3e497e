// The demo's event log: what the merchant's page hears from the widget, oldest first. Loaded in
// <head>, before the widget, so that it hears everything, even a redirect's return as the page loads.
// `window.demoLog(name, detail)` is what the JS API page's script logs its callbacks with; with
// `data-listen` on this script tag, it also listens to every octopus-checkout:* event itself.
(function () {
  "use strict";
  var EVENTS = ["open", "created", "pending", "success", "failure", "close", "error"];
  var script = document.currentScript;
  var early = [];

  function kind(name) {
    if (name.indexOf("octopus-checkout:") === 0) return "event";
    if (/^on[A-Z]/.test(name)) return "callback";
    return "promise";
  }

  /** The gist of a detail on one line; `short` leaves out the id (shown whole below the log). */
  function summary(detail, short) {
    if (!detail) return "null: no order";
    var parts = [];
    if (detail.status) parts.push(detail.status);
    var amount = detail.floatingAmount || detail.finalAmount || detail.amount;
    if (amount) parts.push(amount + " " + String(detail.currency || "").toUpperCase());
    if (detail.id && !short) parts.push(detail.id);
    return parts.length ? parts.join(" · ") : "no order yet";
  }

  function write(entry) {
    var list = document.getElementById("event-log");
    if (!list) { early.push(entry); return; }
    var empty = list.querySelector(".empty");
    if (empty) empty.remove();
    var item = document.createElement("li");
    item.className = "kind-" + kind(entry.name);
    var time = document.createElement("time");
    time.textContent = entry.at.toLocaleTimeString([], { hour12: false });
    var name = document.createElement("code");
    name.className = "name";
    name.textContent = entry.name;
    var tag = document.createElement("span");
    tag.className = "kind";
    tag.textContent = kind(entry.name);
    var text = document.createElement("span");
    text.className = "detail";
    text.textContent = summary(entry.detail, list.hasAttribute("data-full"));
    item.title = JSON.stringify(entry.detail);
    item.append(time, " ", tag, " ", name, " ", text);
    // The JS API page also shows the latest detail whole, as the page's code receives it.
    var last = document.getElementById("event-detail");
    if (last) last.textContent = entry.name + "\n" + JSON.stringify(entry.detail, null, 2);
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  window.demoLog = function (name, detail) {
    write({ name: String(name), detail: detail || null, at: new Date() });
  };

  if (script && script.hasAttribute("data-listen")) {
    EVENTS.forEach(function (name) {
      document.addEventListener("octopus-checkout:" + name, function (event) { window.demoLog(event.type, event.detail); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var waiting = early;
    early = [];
    waiting.forEach(write);
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-clear-log]") : null;
    var list = document.getElementById("event-log");
    if (!button || !list) return;
    list.replaceChildren();
    var last = document.getElementById("event-detail");
    if (last) last.textContent = "Nothing yet.";
    var empty = document.createElement("li");
    empty.className = "empty";
    empty.textContent = "Cleared.";
    list.append(empty);
  });
})();
