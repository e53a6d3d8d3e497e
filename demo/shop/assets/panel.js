// The sandbox panel's client. Reads the sandbox's state and orders (/sandbox/api/...) and the
// server's own view of its orders (/demo/api/orders) every 2 s, and shows checkouts (income) and
// payouts (expense) apart; every control is a call to the
// sandbox's JSON routes, always with Content-Type: application/json (the sandbox refuses anything
// else, which is what keeps a cross-site form from driving it).
(function () {
  "use strict";

  var REFRESH_MS = 2000;
  var MAX_ORDERS = 20;
  var WAITING = ["none", "pending", "preparing", "processing"];
  var TONE = { completed: "paid", failed: "failed", reject: "failed", overdue: "expired", refund: "refunded" };
  var PAYOUT_ACTIONS = [
    { action: "complete", label: "Complete" },
    { action: "fail", label: "Fail" },
    { action: "reject", label: "Reject" },
    { action: "refund", label: "Refund" },
  ];
  var ACTIONS = [
    { action: "complete", label: "Complete" },
    { action: "fail", label: "Fail" },
    { action: "reject", label: "Reject" },
    { action: "expire", label: "Expire" },
    { action: "refund", label: "Refund" },
  ];
  var FAULT_LABEL = { error500: "500 error", malformed: "malformed answer", hang: "hang", commit_then_fail: "commit, then fail", commit_then_hang: "commit, then hang" };
  // The server's gatewayState (server/store/types.ts), for a shopper-free reading of the panel.
  var GATEWAY_STATE = {
    creating: "The server is still waiting for the gateway's answer.",
    orphaned: "The gateway has it, but its answer was lost: the shopper was told to try again, and the server follows this order until it ends.",
    rejected: "The gateway refused it or never got it: nothing to pay.",
    unknown: "Nobody knows yet whether the gateway has it: the server's sweep reads it back.",
  };
  var OUTCOME = { acknowledged: "✓", not_acknowledged: "✗", error: "✗ error", dropped: "dropped" };
  var STATUS_WORD = { completed: "completed", failed: "failed", reject: "rejected", overdue: "expired", refund: "refunded" };
  var ENDPOINT_LABEL = { new: "order/new", get: "order/get", any: "every call" };

  var $ = function (id) { return document.getElementById(id); };
  var state = null;
  var busy = 0;
  // Per list, the JSON of each card last drawn: a card is redrawn only when it changed.
  var signatures = { orders: {}, payouts: {} };
  var messageTimer = 0;
  var narrow = window.matchMedia("(max-width: 600px)");
  var unfolded = {};

  // ---- HTTP ----

  function read(response) {
    return response.text().then(function (text) {
      var body = null;
      try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
      if (!response.ok) {
        var why = body && (body.details || (body.error && (body.error.message || body.error))) || "HTTP " + response.status;
        throw new Error(String(why));
      }
      return body;
    });
  }

  function get(path) {
    return fetch(path, { cache: "no-store" }).then(read);
  }

  /** A control: POST or DELETE, with a JSON body (an empty object when there is nothing to say). */
  function send(method, path, body) {
    busy++;
    return fetch(path, { method: method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) })
      .then(read)
      .finally(function () { busy--; });
  }

  // ---- Messages ----

  function say(text, tone) {
    var box = $("panel-message");
    box.textContent = text;
    box.className = "message " + (tone || "ok");
    box.hidden = false;
    clearTimeout(messageTimer);
    messageTimer = setTimeout(function () { box.hidden = true; }, 5000);
  }

  function failed(error) {
    say(error && error.message ? error.message : String(error), "bad");
  }

  // ---- Little DOM helpers: text only, never HTML from the network ----

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

  function money(amount, currency) {
    return amount + " " + String(currency || "").toUpperCase();
  }

  function badge(status, prefix) {
    var tone = WAITING.indexOf(status) >= 0 ? "waiting" : TONE[status] || "waiting";
    return el("span", "badge " + tone, [(prefix || "") + status]);
  }

  function isFocused(node) {
    return document.activeElement === node;
  }

  // ---- Orders ----

  function merge(gatewayOrders, serverOrders) {
    var atGateway = {};
    gatewayOrders.forEach(function (order) { atGateway[order.merchant_order_id] = order; });
    var rows = serverOrders.map(function (order) {
      return { key: order.merchantOrderId, server: order, gateway: atGateway[order.merchantOrderId] || null };
    });
    var known = {};
    rows.forEach(function (row) { known[row.key] = true; });
    // Orders the server never stored (made with curl, or by another client of the sandbox).
    gatewayOrders.forEach(function (order) {
      if (!known[order.merchant_order_id]) rows.push({ key: order.merchant_order_id, server: null, gateway: order });
    });
    return rows.slice(0, MAX_ORDERS);
  }

  /** A server order the sandbox forgot: made before the server (and its in-memory sandbox) started. */
  function isStale(row, startedAt) {
    return !row.gateway && row.server && row.server.createdAt < startedAt;
  }

  function historyList(title, items) {
    return el("div", "history", [el("h4", "", [title]), items.length ? el("ol", "", items) : el("p", "muted small", ["none"])]);
  }

  /** Only the moves the sandbox allows from here: none once an order is final, but a refund. */
  function actionButtons(g, choices, key) {
    var open = WAITING.indexOf(g.payment_status) >= 0;
    var allowed = choices.filter(function (item) { return item.action === "refund" ? g.payment_status === "completed" : open; });
    if (!allowed.length) return null;
    return el("div", "actions", allowed.map(function (item) {
      var button = el("button", item.action === "complete" || item.action === "refund" ? "" : "ghost", [item.label]);
      button.type = "button";
      button.setAttribute("data-action", item.action);
      button.setAttribute("data-order", key);
      return button;
    }));
  }

  function gatewayHistory(g) {
    return historyList("At the gateway", g.history.map(function (change) {
      return el("li", "", [el("b", "", [change.status]), " ", el("span", "meta", [change.source + " " + time(change.at)])]);
    }));
  }

  function notificationHistory(g) {
    return historyList("Notifications", g.notifications.map(function (attempt) {
      var outcome = el("span", "outcome " + attempt.outcome, [OUTCOME[attempt.outcome] + (attempt.httpStatus ? " " + attempt.httpStatus : "")]);
      outcome.title = attempt.outcome.replace("_", " ");
      return el("li", "", [el("b", "", [attempt.status]), attempt.attempt > 1 ? " try " + attempt.attempt : "", " ", outcome, " ", el("span", "meta", [time(attempt.at)])]);
    }));
  }

  /** On a phone the histories fold away behind one tap; a card the tester opened stays open. */
  function foldable(key, columns) {
    if (!narrow.matches) return columns;
    var fold = el("details", "fold", [el("summary", "small", ["History and notifications"]), columns]);
    fold.open = Boolean(unfolded[key]);
    fold.addEventListener("toggle", function () { unfolded[key] = fold.open; });
    return fold;
  }

  function orderCard(row) {
    var g = row.gateway;
    var s = row.server;
    var status = g ? g.payment_status : s.status;
    var amount = g ? money(g.amount, g.currency) : money(s.amount, s.currency);
    var floating = g ? g.floating_amount : s.floatingAmount;
    var created = s ? s.createdAt : g.created_at;

    var top = el("div", "order-top", [
      badge(status),
      el("b", "amount", [amount]),
      floating ? el("span", "floating", ["transfer " + money(floating, g ? g.currency : s.currency)]) : null,
      el("span", "muted", [(g ? g.payment : s.payment) + " · " + (g ? g.country : s.country)]),
      el("span", "muted order-time", [time(created)]),
    ]);

    var ids = el("p", "ids small", [
      el("code", "", [row.key]),
      s ? " · " : null,
      s ? el("code", "", [s.id]) : null,
      s && s.product ? " · " + s.product : null,
    ]);

    // Whether the shop's server has caught up with the gateway: the thing the faults put to the test.
    var agreement;
    if (!s) agreement = el("p", "agree small muted", ["Not in this server's store."]);
    else if (!g) agreement = el("p", "agree small", ["Not at the gateway. ", GATEWAY_STATE[s.gatewayState] || s.gatewayState]);
    else if (s.status === g.payment_status) agreement = el("p", "agree small ok", ["Server agrees: ", s.status, s.history.length ? " (last from " + s.history[s.history.length - 1].source + ")" : "", "."]);
    else agreement = el("p", "agree small behind", ["Server still says ", el("b", "", [s.status]), "; it will catch up by notification, poll or sweep."]);
    // How the create went, when it did not simply work.
    var howCreated = s && g && s.gatewayState !== "created" ? el("p", "agree small behind", [GATEWAY_STATE[s.gatewayState] || s.gatewayState]) : null;

    var columns = el("div", "histories", [
      g ? gatewayHistory(g) : null,
      // Only where each change went: where it came from is the line above.
      s ? historyList("At the server", s.history.map(function (change) {
        return el("li", "", [el("b", "", [change.to]), " ", el("span", "meta", [change.source + " " + time(change.at)])]);
      })) : null,
      g ? notificationHistory(g) : null,
    ]);

    var actions = g ? actionButtons(g, ACTIONS, row.key) : null;

    // On a phone the three histories fold away, so that the faults are not a mile down the page.
    var card = el("article", "order", [top, ids, agreement, howCreated, foldable(row.key, columns), actions]);
    card.setAttribute("data-order", row.key);
    return card;
  }

  function renderOrders(all, startedAt) {
    var box = $("orders");
    var rows = all.filter(function (row) { return !isStale(row, startedAt); });
    var stale = all.length - rows.length;
    var note = $("stale-note");
    note.hidden = stale === 0;
    note.textContent = stale + (stale === 1 ? " older order is" : " older orders are") + " hidden: made before the server last started, so the sandbox (which keeps orders in memory) no longer has them.";
    renderList("orders", box, rows, orderCard, "No checkouts yet. Pay from any demo page and it shows up here.");
  }

  /**
   * Only cards that changed are replaced, in place: a button under the pointer or the keyboard stays
   * put. The list is rebuilt only when orders come or go.
   */
  function renderList(name, box, rows, build, empty) {
    if (!rows.length) {
      signatures[name] = {};
      box.replaceChildren(el("p", "muted", [empty]));
      return;
    }
    var active = box.contains(document.activeElement) ? document.activeElement : null;
    var focus = active ? { order: active.getAttribute("data-order"), action: active.getAttribute("data-action") } : null;
    var existing = {};
    var shown = [];
    box.querySelectorAll("article.order").forEach(function (card) {
      existing[card.getAttribute("data-order")] = card;
      shown.push(card.getAttribute("data-order"));
    });
    var sameList = shown.join("\n") === rows.map(function (row) { return row.key; }).join("\n");
    var next = {};
    var cards = rows.map(function (row) {
      var signature = JSON.stringify(row);
      next[row.key] = signature;
      var card = existing[row.key];
      if (card && signatures[name][row.key] === signature) return card;
      var fresh = build(row);
      if (sameList && card) card.replaceWith(fresh);
      return fresh;
    });
    if (!sameList) box.replaceChildren.apply(box, cards);
    signatures[name] = next;
    if (focus && focus.action && !box.contains(document.activeElement)) {
      var again = box.querySelector('[data-order="' + CSS.escape(focus.order) + '"][data-action="' + focus.action + '"]');
      if (again && !again.disabled) again.focus();
    }
  }

  // ---- Payouts ----

  /** The payee's account, as an operator needs it to tell payouts apart: its last four characters. */
  function masked(account) {
    if (!account) return "no account";
    return account.length > 4 ? "•••• " + account.slice(-4) : account;
  }

  function payoutCard(row) {
    var g = row.gateway;
    var open = WAITING.indexOf(g.payment_status) >= 0;
    var top = el("div", "order-top", [
      badge(g.payment_status),
      el("b", "amount", [money(g.amount, g.currency)]),
      el("span", "muted", [g.payment + " · " + g.country + (g.accounting_type ? " · " + g.accounting_type : "")]),
      el("span", "muted order-time", [time(g.created_at)]),
    ]);
    var payee = el("p", "payee", [
      "To ", el("b", "", [g.to_name || "(no name)"]), " · ", el("code", "", [masked(g.to)]),
      g.to_bank_name ? " · " + g.to_bank_name : null,
    ]);
    var ids = el("p", "ids small", [el("code", "", [row.key])]);
    var plan = null;
    if (open && g.payout_schedule) {
      var next = g.payment_status !== "processing" ? "processing at " + time(g.payout_schedule.processing_at) + ", then " : "";
      plan = el("p", "agree small", ["Goes through by itself: " + next + "ends at " + time(g.payout_schedule.settle_at) + " (sandbox clock)."]);
    } else if (open) {
      plan = el("p", "agree small behind", ["Waits for you: complete, fail or reject it."]);
    } else if (g.payment_fail_reason) {
      plan = el("p", "agree small", [g.payment_fail_reason]);
    }
    var columns = el("div", "histories", [gatewayHistory(g), notificationHistory(g)]);
    var card = el("article", "order", [top, payee, ids, plan, foldable(row.key, columns), actionButtons(g, PAYOUT_ACTIONS, row.key)]);
    card.setAttribute("data-order", row.key);
    return card;
  }

  function renderPayouts(gatewayOrders) {
    var rows = gatewayOrders.slice(0, MAX_ORDERS).map(function (order) { return { key: order.merchant_order_id, gateway: order }; });
    renderList("payouts", $("payouts"), rows, payoutCard, "No payouts yet. A merchant makes one with transaction_type \"expense\" on order/new.");
  }

  // ---- Controls, kept in step with the sandbox's state ----

  function renderState(s) {
    document.querySelectorAll(".fault").forEach(function (row) {
      var mode = row.getAttribute("data-mode");
      var active = s.faults.filter(function (fault) { return fault.mode === mode; })[0];
      var toggle = row.querySelector("[data-fault-toggle]");
      var endpoint = row.querySelector("[data-fault-endpoint]");
      var chance = row.querySelector("[data-fault-probability]");
      toggle.checked = Boolean(active);
      row.classList.toggle("on", Boolean(active));
      if (active && !isFocused(endpoint)) endpoint.value = active.endpoint;
      if (active && !isFocused(chance)) chance.value = String(active.probability === undefined ? 1 : active.probability);
    });
    $("fault-list").textContent = s.faults.length
      ? "Active: " + s.faults.map(function (fault) {
          return FAULT_LABEL[fault.mode] + " on " + ENDPOINT_LABEL[fault.endpoint] +
            (fault.probability !== undefined && fault.probability < 1 ? ", chance " + fault.probability : "") +
            (fault.remaining !== null ? ", " + fault.remaining + " more" : "");
        }).join("; ") + "."
      : "No faults: the gateway behaves.";
    $("fault-list").className = "small " + (s.faults.length ? "behind" : "ok");

    var notify = s.notifyFaults;
    if (!isFocused($("notify-drop"))) $("notify-drop").value = String(notify.drop);
    if (!isFocused($("notify-duplicate"))) $("notify-duplicate").value = String(notify.duplicate);
    $("notify-reorder").checked = notify.reorder;
    if (!isFocused($("notify-window"))) $("notify-window").value = String(notify.reorderWindowMs);
    if (!isFocused($("latency"))) $("latency").value = String(s.latencyMs);
    $("payout-auto").checked = s.payouts.auto;
    if (!isFocused($("payout-processing"))) $("payout-processing").value = String(s.payouts.processingMs);
    if (!isFocused($("payout-settle"))) $("payout-settle").value = String(s.payouts.settleMs);
    if (!isFocused($("payout-fail-rate"))) $("payout-fail-rate").value = String(s.payouts.failRate);
    $("refuse-framing").checked = s.refuseFraming;

    var ahead = Math.round((s.now - Date.now()) / 60000);
    $("gateway-state").textContent = "Sandbox clock " + time(s.now) + (ahead >= 1 ? " (" + ahead + " min ahead)" : "") +
      " · " + s.pendingNotifications + " notification" + (s.pendingNotifications === 1 ? "" : "s") + " pending · " +
      s.hangingRequests + " request" + (s.hangingRequests === 1 ? "" : "s") + " hanging.";
  }

  function refresh() {
    return Promise.all([get("/sandbox/api/state"), get("/sandbox/api/orders"), get("/demo/api/orders")])
      .then(function (answers) {
        state = answers[0];
        renderState(state);
        var checkouts = answers[1].orders.filter(function (order) { return order.transaction_type !== "expense"; });
        var payouts = answers[1].orders.filter(function (order) { return order.transaction_type === "expense"; });
        renderOrders(merge(checkouts, answers[2].orders), answers[2].startedAt);
        renderPayouts(payouts);
        $("updated").textContent = "Updated " + time(Date.now());
      })
      .catch(function (error) {
        $("updated").textContent = "Could not refresh: " + (error && error.message ? error.message : error);
      });
  }

  // ---- What the controls do ----

  function specOf(fault) {
    var spec = { endpoint: fault.endpoint, mode: fault.mode };
    if (fault.probability !== undefined) spec.probability = fault.probability;
    if (fault.remaining !== null && fault.remaining !== undefined) spec.times = fault.remaining;
    return spec;
  }

  /**
   * The sandbox keeps a list of faults and can only clear it whole: to switch one mode off or change
   * it, clear the list and add back every other fault as it was.
   */
  function setFault(mode, on) {
    var row = document.querySelector('.fault[data-mode="' + mode + '"]');
    var chance = Number(row.querySelector("[data-fault-probability]").value);
    if (on && !(chance >= 0 && chance <= 1)) {
      say("The chance is a number from 0 to 1.", "bad");
      return refresh();
    }
    var faults = (state ? state.faults : []).filter(function (fault) { return fault.mode !== mode; }).map(specOf);
    if (on) {
      var spec = { endpoint: row.querySelector("[data-fault-endpoint]").value, mode: mode };
      if (chance < 1) spec.probability = chance;
      faults.push(spec);
    }
    return send("DELETE", "/sandbox/api/faults")
      .then(function () {
        return faults.reduce(function (done, fault) {
          return done.then(function () { return send("POST", "/sandbox/api/faults", fault); });
        }, Promise.resolve());
      })
      .then(function () { say(on ? "Fault on: " + FAULT_LABEL[mode] + "." : "Fault off: " + FAULT_LABEL[mode] + "."); })
      .catch(failed)
      .then(refresh);
  }

  function setNotifyFaults() {
    var body = {
      drop: Number($("notify-drop").value),
      duplicate: Number($("notify-duplicate").value),
      reorder: $("notify-reorder").checked,
      reorderWindowMs: Number($("notify-window").value),
    };
    return send("POST", "/sandbox/api/notify-faults", body)
      .then(function (answer) {
        var n = answer.notifyFaults;
        say("Notifications: drop " + n.drop + ", duplicate " + n.duplicate + (n.reorder ? ", reordered within " + n.reorderWindowMs + " ms" : ", in order") + ".");
      })
      .catch(failed)
      .then(refresh);
  }

  function act(action, id) {
    return send("POST", "/sandbox/api/orders/" + encodeURIComponent(id) + "/" + action, {})
      .then(function (answer) { say(id + " is now " + (STATUS_WORD[answer.order.payment_status] || answer.order.payment_status) + "."); })
      .catch(failed)
      .then(refresh);
  }

  function setPayoutSettings() {
    var body = {
      auto: $("payout-auto").checked,
      processingMs: Number($("payout-processing").value),
      settleMs: Number($("payout-settle").value),
      failRate: Number($("payout-fail-rate").value),
    };
    return send("POST", "/sandbox/api/payouts/settings", body)
      .then(function (answer) {
        var p = answer.payouts;
        say(p.auto
          ? "New payouts go to processing after " + p.processingMs + " ms and end " + p.settleMs + " ms later" + (p.failRate > 0 ? ", failing with chance " + p.failRate : "") + "."
          : "New payouts wait for a button.");
      })
      .catch(failed)
      .then(refresh);
  }

  function allOff() {
    return send("DELETE", "/sandbox/api/faults")
      .then(function () { return send("POST", "/sandbox/api/notify-faults", { drop: 0, duplicate: 0, reorder: false }); })
      .then(function () { return send("POST", "/sandbox/api/latency", { ms: 0 }); })
      .then(function () { return send("POST", "/sandbox/api/framing", { refuse: false }); })
      .then(function () { return send("POST", "/sandbox/api/payouts/settings", { failRate: 0 }); })
      .then(function () { say("Every fault is off: the gateway behaves."); })
      .catch(failed)
      .then(refresh);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var fault = target.closest(".fault");
    if (fault) {
      var toggle = fault.querySelector("[data-fault-toggle]");
      // Changing the endpoint or the chance of a fault that is off only prepares it.
      if (target === toggle || toggle.checked) setFault(fault.getAttribute("data-mode"), toggle.checked);
      return;
    }
    if (["notify-drop", "notify-duplicate", "notify-reorder", "notify-window"].indexOf(target.id) >= 0) {
      setNotifyFaults();
    } else if (["payout-auto", "payout-processing", "payout-settle", "payout-fail-rate"].indexOf(target.id) >= 0) {
      setPayoutSettings();
    } else if (target.id === "latency") {
      var ms = Number($("latency").value);
      send("POST", "/sandbox/api/latency", { ms: ms })
        .then(function () { say("Latency: " + ms + " ms on every gateway call."); })
        .catch(failed)
        .then(refresh);
    } else if (target.id === "refuse-framing") {
      var refuse = $("refuse-framing").checked;
      send("POST", "/sandbox/api/framing", { refuse: refuse })
        .then(function () { say(refuse ? "The payment page now refuses to be framed." : "The payment page may be framed again."); })
        .catch(failed)
        .then(refresh);
    } else if (target.id === "auto-refresh" && $("auto-refresh").checked) {
      refresh();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("button") : null;
    if (!target) return;
    if (target.hasAttribute("data-action")) {
      act(target.getAttribute("data-action"), target.getAttribute("data-order"));
    } else if (target.id === "advance-clock") {
      send("POST", "/sandbox/api/clock/advance", { ms: 16 * 60000 })
        .then(function () { say("The sandbox clock moved 16 minutes on: unpaid orders are now expired, and payouts due by then have gone through."); })
        .catch(failed)
        .then(refresh);
    } else if (target.id === "all-off") {
      allOff();
    }
  });

  narrow.addEventListener("change", function () {
    signatures = { orders: {}, payouts: {} };
    refresh();
  });

  refresh();
  setInterval(function () {
    // Not while a control is on its way (the answer refreshes anyway), nor in a hidden tab.
    if ($("auto-refresh").checked && !busy && !document.hidden) refresh();
  }, REFRESH_MS);
})();
