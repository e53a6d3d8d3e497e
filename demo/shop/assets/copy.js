// Copy buttons of the code blocks: copies the code's text, exactly what is shown. Where the
// clipboard is refused (an insecure origin, a strict browser), selects the code for the shopper to copy.
(function () {
  "use strict";
  function say(button, text) {
    button.textContent = text;
    clearTimeout(button._reset);
    button._reset = setTimeout(function () { button.textContent = "Copy"; }, 2000);
  }
  function select(button, code) {
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    say(button, "Selected: copy it");
  }
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
    if (!button) return;
    var code = document.getElementById(button.getAttribute("data-copy"));
    if (!code) return;
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(code.textContent).then(
        function () { say(button, "Copied"); },
        function () { select(button, code); },
      );
    } else {
      select(button, code);
    }
  });
})();
