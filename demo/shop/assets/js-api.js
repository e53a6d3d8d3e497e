// The page's own script: it opens the checkout when it wants, and hears the result three ways.
// log() is yours to write. On the demo it prints to the event log; anywhere else, to the console.
const log = window.demoLog || console.log;

document.getElementById("buy-credit").addEventListener("click", async () => {
  const result = await OctopusCheckout.open({
    amount: "250.00",
    currency: "php",
    country: "PH",
    description: "250 credits",
    onPending: (detail) => log("onPending", detail),
    onSuccess: (detail) => log("onSuccess", detail),
    onFailure: (detail) => log("onFailure", detail),
    onClose: (detail) => log("onClose", detail),
  });
  // When the checkout ends (the shopper closed the dialog, e.g. with Done), with the last status.
  log("open() resolved", result);
});

// The same moments as DOM events, heard anywhere on the page.
for (const name of ["open", "created", "pending", "success", "failure", "close", "error"]) {
  document.addEventListener(`octopus-checkout:${name}`, (event) => log(event.type, event.detail));
}
