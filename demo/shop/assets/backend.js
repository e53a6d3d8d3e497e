// The "your backend" page's client: lists the webhooks the demo's endpoint received and verified,
// read from /demo/backend/api/webhooks every 2 s. Text only, never HTML from the network.
(function () {
  "use strict";

  var REFRESH_MS = 2000;
  var list = document.getElementById("hooks");
  var updated = document.getElementById("hooks-updated");
  var shown = "";

  function el(tag, className, children) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function time(ms) {
    return new Date(ms).toLocaleTimeString([], { hour12: false });
  }

  function item(hook) {
    var mark = el("span", "verified " + (hook.verified ? "ok" : "bad"), [hook.verified ? "✓ verified" : "✗ not verified"]);
    if (hook.error) mark.title = hook.error;
    var when = el("time", "", [time(hook.receivedAt)]);
    when.dateTime = new Date(hook.receivedAt).toISOString();
    return el("li", hook.verified ? "" : "refused", [
      el("div", "hook-top", [el("code", "name", [hook.type || "(unreadable)"]), mark, when]),
      el("div", "hook-meta small", [
        hook.objectId ? el("code", "", [hook.objectId]) : null,
        hook.status ? " · " + hook.status : null,
      ]),
      el("div", "hook-meta small muted", ["webhook-id ", el("code", "", [hook.webhookId || "(none)"])]),
      hook.error ? el("div", "hook-meta small bad", [hook.error]) : null,
    ]);
  }

  function render(received) {
    var signature = JSON.stringify(received);
    if (signature === shown) return;
    shown = signature;
    if (!received.length) {
      list.replaceChildren(el("li", "empty muted", ["None yet. Open the payment link and pay: order.created, then order.paid, arrive here."]));
      return;
    }
    list.replaceChildren.apply(list, received.map(item));
  }

  function refresh() {
    return fetch("/demo/backend/api/webhooks", { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (answer) {
        render(answer.received);
        updated.textContent = answer.received.length + " received · updated " + time(Date.now()) + " · every 2 s";
      })
      .catch(function (error) {
        updated.textContent = "Could not refresh: " + (error && error.message ? error.message : error);
      });
  }

  refresh();
  setInterval(function () {
    if (!document.hidden) refresh();
  }, REFRESH_MS);
})();
