// Reports every Content-Security-Policy violation on the CSP page. Loaded first, in <head>, so that
// it hears the widget's too. An empty list is the point of the page; the "Try an inline script"
// button proves the check is awake by doing something the policy forbids.
(function () {
  "use strict";
  var seen = [];
  var deliberate = 0;
  window.demoViolations = seen;

  function render() {
    var status = document.getElementById("csp-status");
    var list = document.getElementById("csp-violations");
    if (!status || !list) return;
    var real = seen.filter(function (v) { return !v.deliberate; }).length;
    status.className = "verdict " + (real ? "bad" : "ok");
    status.textContent = real
      ? real + (real === 1 ? " violation" : " violations") + " by the page or the widget."
      : seen.length
        ? "None by the page or the widget; only the one you asked for."
        : "None so far.";
    list.replaceChildren.apply(list, seen.map(function (v) {
      var item = document.createElement("li");
      item.className = v.deliberate ? "kind-deliberate" : "kind-violation";
      var name = document.createElement("code");
      name.className = "name";
      name.textContent = v.directive;
      var text = document.createElement("span");
      text.className = "detail";
      text.textContent = (v.deliberate ? "blocked, as asked: " : "blocked: ") + (v.blocked || "?") + (v.sample ? " “" + v.sample + "”" : "") + (v.source ? " from " + v.source + ":" + v.line : "");
      item.append(name, " ", text);
      return item;
    }));
  }

  document.addEventListener("securitypolicyviolation", function (event) {
    var mine = deliberate > 0 && event.blockedURI === "inline";
    if (mine) deliberate--;
    seen.push({ directive: event.effectiveDirective || event.violatedDirective, blocked: event.blockedURI, source: event.sourceFile, line: event.lineNumber, sample: event.sample, deliberate: mine });
    render();
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    render();
    var button = document.getElementById("csp-try");
    if (!button) return;
    button.addEventListener("click", function () {
      deliberate++;
      var inline = document.createElement("script");
      inline.textContent = "document.title = 'inline script ran';";
      document.body.append(inline);
      inline.remove();
    });
  });
})();
