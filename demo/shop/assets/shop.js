// The demo page's client: options → form → POST /api/checkout → full redirect to the payment page →
// back here with ?octopus_checkout=<id> → poll the status until it is final.
(function () {
  "use strict";
  var form = document.getElementById("checkout");
  var method = document.getElementById("method");
  var amount = document.getElementById("amount");
  var limits = document.getElementById("limits");
  var error = document.getElementById("error");
  var result = document.getElementById("result");
  var pay = document.getElementById("pay");
  var methods = [];
  var FINAL = { completed: "Paid. Thank you!", failed: "The payment failed.", reject: "The payment was refused.", overdue: "The order expired before it was paid.", refund: "The payment was refunded." };

  function show(text) { error.textContent = text; error.hidden = !text; }
  function selected() { return methods[Number(method.value)]; }
  function describe() {
    var m = selected();
    if (!m) return;
    limits.textContent = "From " + m.min + " to " + m.max + " " + m.currency.toUpperCase();
    if (!amount.value && m.presets && m.presets.length) amount.value = m.presets[0];
  }

  fetch("/api/checkout/options").then(function (r) { return r.json(); }).then(function (options) {
    methods = options.methods;
    methods.forEach(function (m, i) {
      var option = document.createElement("option");
      option.value = String(i);
      option.textContent = m.label + " (" + m.country + ", " + m.currency.toUpperCase() + ")";
      method.appendChild(option);
    });
    describe();
  });
  method.addEventListener("change", function () { amount.value = ""; describe(); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var m = selected();
    show("");
    pay.disabled = true;
    fetch("/api/checkout", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": "demo-" + Date.now() + "-" + Math.random().toString(36).slice(2) },
      body: JSON.stringify({ amount: amount.value.trim(), currency: m.currency, country: m.country, payment: m.payment, return_url: location.origin + "/" }),
    })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (answer) {
        if (!answer.ok) { show(answer.body.error ? answer.body.error.message : "Something went wrong."); pay.disabled = false; return; }
        location.assign(answer.body.payment_url);
      })
      .catch(function () { show("Could not reach the server. Check your connection and try again."); pay.disabled = false; });
  });

  var id = new URLSearchParams(location.search).get("octopus_checkout");
  if (id) {
    history.replaceState(null, "", location.pathname);
    result.hidden = false;
    var delay = 1000;
    (function poll() {
      fetch("/api/checkout/" + encodeURIComponent(id)).then(function (r) { return r.json(); }).then(function (order) {
        if (order.error) { result.textContent = order.error.message; return; }
        var done = FINAL[order.status];
        result.textContent = done ? done + " (" + order.amount + " " + order.currency.toUpperCase() + ")" : "Waiting for the payment to be confirmed…";
        if (!done) { setTimeout(poll, delay); delay = Math.min(delay * 1.5, 10000); }
      });
    })();
  }
})();
