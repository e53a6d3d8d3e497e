/**
 * The payment page's stylesheet, served as a file (`/octopus/pay/assets/page.css`) rather than
 * inline, so that the page's CSP can be `style-src 'self'` with no 'unsafe-inline'.
 */
export const PAGE_CSS = `
*, *::before, *::after { box-sizing: border-box; }
:root {
  --ink: #14213d; --muted: #5c677d; --line: #e3e7ef; --bg: #eef2f8; --card: #ffffff;
  --brand: #0f6e6e; --brand-dark: #0b5454; --good: #1b7f3b; --bad: #b42318; --warn: #f6c445;
  color-scheme: light;
}
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; min-height: 100vh; display: flex; flex-direction: column;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Thai", sans-serif;
  color: var(--ink);
  background: radial-gradient(circle at 20% 0%, #dcebf5 0, transparent 45%), radial-gradient(circle at 100% 100%, #e3f1ec 0, transparent 40%), var(--bg);
}
.sandbox-bar {
  display: flex; gap: .75rem; align-items: center; justify-content: center; flex-wrap: wrap;
  padding: .5rem 1rem; font-size: .875rem; font-weight: 500; color: #1d1d1d; text-align: center;
  background: repeating-linear-gradient(135deg, var(--warn) 0 14px, #f2b92f 14px 28px);
  border-bottom: 1px solid #d9a21f;
}
.sandbox-tag {
  padding: .1rem .5rem; border-radius: 4px; background: #1d1d1d; color: var(--warn);
  font-weight: 800; letter-spacing: .12em; font-size: .8rem;
}
.page { flex: 1; display: flex; justify-content: center; align-items: flex-start; padding: 1.25rem .75rem 2rem; }
.card {
  width: 100%; max-width: 440px; background: var(--card); border-radius: 16px; padding: 1.25rem;
  box-shadow: 0 1px 2px rgba(20, 33, 61, .06), 0 12px 32px rgba(20, 33, 61, .10);
}
.merchant { display: flex; flex-wrap: wrap; align-items: center; gap: .75rem; padding-bottom: 1rem; border-bottom: 1px solid var(--line); }
/* In a narrow frame the status chip moves to its own line rather than squeezing the name. */
.merchant > div { flex: 1 1 8rem; min-width: 0; }
.avatar {
  flex: none; width: 44px; height: 44px; border-radius: 12px; display: grid; place-items: center;
  background: linear-gradient(135deg, var(--brand), #2a9d8f); color: #fff; font-weight: 700; font-size: 1.25rem;
}
.eyebrow { margin: 0; font-size: .75rem; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); }
h1 { margin: 0; font-size: 1.125rem; line-height: 1.3; overflow-wrap: break-word; }
.chip {
  flex: none; font-size: .75rem; font-weight: 600; padding: .2rem .6rem; border-radius: 999px;
  background: #e6f2f2; color: var(--brand-dark);
}
.amount { text-align: center; padding: 1.5rem 0 1.25rem; }
.amount-label { margin: 0; color: var(--muted); font-size: .875rem; font-weight: 600; text-transform: uppercase; letter-spacing: .06em; }
.amount-value { margin: .25rem 0 0; font-size: 2.25rem; font-weight: 750; letter-spacing: -.02em; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.amount-code { margin: 0; color: var(--muted); font-size: .8rem; letter-spacing: .1em; }
.amount-exact { margin: 1rem 0 .25rem; padding: 1.25rem 1rem; border: 2px dashed var(--brand); border-radius: 12px; background: #f3faf9; }
.amount-exact .amount-label { color: var(--brand-dark); }
.amount-note { margin: .5rem 0 0; font-size: .875rem; color: var(--muted); }
.details { margin: 0 0 1.25rem; border-top: 1px solid var(--line); }
.details > div { display: flex; justify-content: space-between; gap: 1rem; padding: .6rem 0; border-bottom: 1px solid var(--line); }
.details dt { color: var(--muted); }
.details dd { margin: 0; text-align: right; font-weight: 500; overflow-wrap: anywhere; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
.muted { color: var(--muted); font-weight: 400; }
.actions { display: grid; gap: .75rem; }
.actions-row { display: grid; grid-template-columns: 1fr 1fr; gap: .75rem; }
.button {
  display: inline-flex; align-items: center; justify-content: center; min-height: 48px; padding: .75rem 1rem;
  border-radius: 10px; border: 1px solid transparent; font: inherit; font-weight: 650; cursor: pointer; text-decoration: none;
}
.button:focus-visible { outline: 3px solid #7cc4c4; outline-offset: 2px; }
.button-pay { width: 100%; font-size: 1.0625rem; background: var(--brand); color: #fff; }
.button-pay:hover { background: var(--brand-dark); }
.button-secondary { background: #fff; color: var(--ink); border-color: #c9d1de; }
.button-secondary:hover { background: #f5f7fb; }
.hint { margin: 1rem 0 0; font-size: .8125rem; color: var(--muted); text-align: center; }
.outcome { text-align: center; padding: .5rem 0 .25rem; }
.outcome h2 { margin: .5rem 0 .25rem; font-size: 1.25rem; }
.outcome p { margin: .25rem 0; color: var(--muted); }
.outcome .button { margin-top: 1rem; width: 100%; }
.outcome-icon { display: inline-grid; place-items: center; width: 56px; height: 56px; border-radius: 50%; font-size: 1.75rem; font-weight: 700; }
.outcome-good .outcome-icon { background: #e3f4e8; color: var(--good); }
.outcome-good .outcome-icon::before { content: "\\2713"; }
.outcome-bad .outcome-icon { background: #fde8e6; color: var(--bad); }
.outcome-bad .outcome-icon::before { content: "\\2715"; }
.outcome-neutral .outcome-icon { background: #edf0f5; color: var(--muted); }
.outcome-neutral .outcome-icon::before { content: "i"; font-style: italic; font-family: Georgia, serif; }
.status-line { font-size: .8125rem; }
.foot { text-align: center; padding: 0 1rem 1.5rem; font-size: .75rem; color: var(--muted); }
@media (min-width: 640px) {
  .page { align-items: center; padding: 3rem 1.5rem; }
  .card { padding: 2rem; }
  .amount-value { font-size: 2.75rem; }
}
`;
