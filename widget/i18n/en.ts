/**
 * The widget's English text: bundled, because most pages need it. Other languages are JSON files
 * with the same keys, fetched only when used (widget/i18n/<locale>.json, served by the server).
 * `{name}` placeholders are filled in by `t()`.
 */
export const en = {
  pay: "Pay",
  payAmount: "Pay {amount}",
  dialogTitle: "Checkout",
  close: "Close",
  amount: "Amount",
  otherAmount: "Other amount",
  country: "Country",
  currency: "Currency",
  payment: "Payment method",
  rangeHint: "From {min} to {max}",
  errorRequired: "Enter an amount.",
  errorFormat: "Enter an amount such as {example}.",
  errorWhole: "Enter a whole amount, without decimals.",
  errorRange: "Enter an amount from {min} to {max}.",
  creating: "Creating your order…",
  waitingTitle: "Complete your payment",
  waitingPopup: "Finish paying in the payment window. This page updates by itself.",
  waitingFrame: "Finish paying below. This page updates by itself.",
  toPay: "Amount to pay",
  transferExactly: "Transfer exactly this amount, including the decimals, so your payment can be matched.",
  copy: "Copy amount",
  copied: "Copied",
  openPayment: "Open the payment page",
  openNewWindow: "Open in a new window",
  framingBlocked: "The payment page can't be shown here. Open it in a new window to pay.",
  paidTitle: "Payment received",
  paidText: "Thank you! Your payment of {amount} is complete.",
  failedTitle: "Payment failed",
  failedText: "The payment didn't go through. You can try again.",
  tryAgain: "Try again",
  expiredTitle: "Order expired",
  expiredText: "The time to pay this order ran out. Start again to get a new order.",
  startAgain: "Start again",
  refundedTitle: "Payment refunded",
  refundedText: "This payment of {amount} was refunded.",
  errorTitle: "Something went wrong",
  errorNetwork: "We couldn't reach the payment server. Check your connection and try again.",
  resumeTitle: "You have a payment in progress",
  resumeText: "Continue paying {amount}, or start a new payment.",
  resume: "Continue payment",
  newPayment: "Start a new payment",
  sandbox: "Sandbox: no real money moves",
  done: "Done",
};

export type Messages = typeof en;
export type MessageKey = keyof Messages;
