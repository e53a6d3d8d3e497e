import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { gzipAsync } from "@gfx/zopfli";
import { minify } from "terser";
import { build, type InlineConfig, type Plugin, type Rolldown } from "vite";
import { configDefaults, defineConfig } from "vitest/config";
import { MESSAGE_NAMES, MESSAGE_NAMES_VERSION, withShortNames } from "./widget/i18n/message-names.ts";

const ROOT = fileURLToPath(new URL("./", import.meta.url));

/**
 * The widget's size budgets, in bytes (kB of 1,000, as vite, the bench and the README count them),
 * compressed as the server sends them: the build writes each file's brotli and gzip beside it
 * (`<file>.br`, servedBrotli; `<file>.gz`, servedGzip) and the server sends those very bytes.
 *
 * `widget.js`, the loader every visitor of a merchant's page downloads: 2.5 kB gzip to aim for, the
 * build fails above 3 kB gzip (gzip: what every client takes). `shopper`: what a shopper who opens
 * the dialog downloads in all, the loader and the dialog file (its CSS and English included), 14 kB:
 * the build fails above it for a browser that takes brotli (every current browser does, over HTTPS
 * and on loopback; Chromium sends only `gzip, deflate` over plain HTTP to another host).
 * `shopperGzipLimit`: what a gzip-only client downloads, held to the same 14 kB (13,795 B today,
 * since the dialog's Preact leaves out what the dialog never uses: PREACT_TRIMS), so that the issue's
 * budget holds in both encodings and growth fails the build instead of going unnoticed.
 * `npm run bench -- size` lists what each module adds.
 */
export const WIDGET_BUDGET = { file: "widget.js", target: 2_500, limit: 3_000, shopper: 14_000, shopperGzipLimit: 14_000 };

/** What the server sends a translation as: zlib's gzip at level 9, made when it starts (server/http/encoded-asset.ts). */
const gzip = (code: string | Uint8Array) => gzipSync(code, { level: 9 }).length;

const served = new Map<string, Promise<Uint8Array>>();

/**
 * The gzip the server sends for a built file (widget.js, dialog.<hash>.js, dialog-setup.<hash>.js):
 * zopfli's, the same deflate format any gzip reader takes, about 3% smaller than zlib's level 9 and
 * far too slow to make per request or at every start, so the build writes it beside the file as
 * `<file>.gz` (precompress) and the server sends those bytes (server/http/widget-assets.ts). The
 * size budget and the bench count these very bytes. Deterministic (no name, no time in the header);
 * made once per content, since the budget and precompress both ask.
 */
export function servedGzip(code: string): Promise<Uint8Array> {
  let bytes = served.get(code);
  if (!bytes) served.set(code, (bytes = gzipAsync(Buffer.from(code), { numiterations: 15 })));
  return bytes;
}

/**
 * The brotli the server sends for a built file to a browser that takes it, written beside the
 * file as `<file>.br`: node:zlib's brotli at its highest quality (11), the standard window (large
 * windows are a non-standard extension that browsers refuse) and text mode (the files are UTF-8
 * text; on today's files it gives the same bytes as the generic mode). Deterministic: the budget,
 * the bench and the server count the same bytes.
 */
export function servedBrotli(code: string): Uint8Array {
  const bytes = Buffer.from(code);
  return new Uint8Array(
    brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_LARGE_WINDOW]: 0,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  );
}

/**
 * Fails the build when widget.js, gzipped, is over its limit, or loader + dialog + English over
 * theirs (brotli, and gzip), and prints the figures that count: the loader, the dialog file, and
 * what a shopper who opens the checkout downloads (the two, and their language's translation, for
 * the largest one), each as the server sends it (servedBrotli and servedGzip for the built files;
 * zlib's level 9 and brotli at quality 11 for a translation, made when the server starts). A size
 * budget that only a benchmark reports is a budget nobody notices breaking.
 */
export function sizeBudget(budget = WIDGET_BUDGET, languages = join(ROOT, "widget/i18n/")): Plugin {
  const kB = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`;
  return {
    name: "octopus-size-budget",
    apply: "build",
    async generateBundle(_, bundle) {
      const chunk = bundle[budget.file];
      if (chunk?.type !== "chunk") return;
      const size = (await servedGzip(chunk.code)).length;
      const figure = `${budget.file} is ${size} B gzipped (${kB(size)})`;
      if (size > budget.limit) this.error(`${figure}, over its ${kB(budget.limit)} limit. npm run bench shows what it is made of.`);
      const dialog = Object.values(bundle).find((file) => file.type === "asset" && /^dialog\.[0-9a-f]+\.js$/.test(file.fileName));
      const dialogCode = dialog?.type === "asset" ? (dialog.source as string) : "";
      const dialogSize = dialog ? (await servedGzip(dialogCode)).length : 0;
      const [largest = { file: "", gzip: 0, brotli: 0 }] = readdirSync(languages)
        .filter((file) => file.endsWith(".json"))
        // As the dialog asks for it: with its short message keys (widget/i18n/message-names.ts).
        .map((file) => ({ file, bytes: Buffer.from(JSON.stringify(withShortNames(JSON.parse(readFileSync(join(languages, file), "utf8"))))) }))
        .map(({ file, bytes }) => ({ file, gzip: gzip(bytes), brotli: brotliCompressSync(bytes).length }))
        .sort((a, b) => b.gzip - a.gzip);
      // The dialog file holds English: loader + dialog is what an English-speaking shopper downloads.
      const english = size + dialogSize;
      const brotli = servedBrotli(chunk.code).length + (dialog ? servedBrotli(dialogCode).length : 0);
      const over = (bytes: number, target: number) => (bytes > target ? `, over the ${kB(target)} target by ${bytes - target} B` : "");
      if (dialog && brotli > budget.shopper)
        this.error(`loader + ${dialog.fileName} + English is ${brotli} B in brotli (${kB(brotli)}), over its ${kB(budget.shopper)} limit. npm run bench shows what it is made of.`);
      if (dialog && english > budget.shopperGzipLimit)
        this.error(`loader + ${dialog.fileName} + English is ${english} B gzipped (${kB(english)}), over its ${kB(budget.shopperGzipLimit)} limit (target ${kB(budget.shopper)}). npm run bench shows what it is made of.`);
      const withDialog = dialog
        ? `; ${dialog.fileName} is ${dialogSize} B (${kB(dialogSize)}); loader + dialog + English ${brotli} B in brotli (${kB(brotli)}), what a browser downloads, target and limit ${kB(budget.shopper)}; ${english} B gzipped (${kB(english)}), what a gzip-only client downloads, limit ${kB(budget.shopperGzipLimit)}${over(english, budget.shopper)}`
        : "";
      const most = largest.file && dialog ? `; with ${largest.file}, the largest translation, ${brotli + largest.brotli} B in brotli, ${english + largest.gzip} B gzipped` : "";
      this.info(`${figure}: limit ${kB(budget.limit)}, target ${kB(budget.target)}${size > budget.target ? `, over the target by ${size - budget.target} B` : ""}${withDialog}${most}.`);
    },
  };
}

/** What every widget build shares: the target, and classic h() calls for the JSX. */
const COMMON = {
  // Classic h() calls: the components and the controller share Preact's own h(), where the
  // automatic runtime would bundle preact/jsx-runtime's jsx() beside it.
  oxc: { jsx: { runtime: "classic" as const, pragma: "h", pragmaFrag: "Fragment" } },
};

/**
 * Property names the dialog file's minifier shortens (rolldown's mangleProps: every `.name` and
 * `name:` in the file, consistently). Only names that never leave the file: the view model's, the
 * form's and the poller's own (widget/view-model.ts, ui/, poller.ts), and Preact's: its internal
 * `__x` fields, which Preact itself mangles to these, and the names of its class-component API
 * (lifecycle methods, setState, props, state, context…) and of its `options` hooks, which only
 * Preact's own code in the file reads: the dialog's components are functions, and nothing outside
 * the file reaches into Preact (no devtools, no hooks add-on), so a class component added later
 * would be renamed the same way and still work. Never a name the server sends or is sent
 * (frameable, field, label, session, locale…), an English message key (copy, copied, close…:
 * translations are looked up by string), a name kept in localStorage (purchase, settled, exp), the
 * API the loader calls (open, buttonLabel…), a DOM or Preact prop name (screen, mode, value, step
 * on an input, type, key, ref, children…), or a name the code looks up from a string
 * (`view.act[ending.action]` reaches retry, again and openPage that way; Preact compares "key",
 * "children"…): test/widget/private-properties.test.ts holds the list to that, and the browser
 * tests run the mangled file. The first two lines took 138 B off the dialog's gzip when they came
 * in (13,531 → 13,393); Preact's public names 145 B more (13,393 → 13,248).
 */
export const DIALOG_PRIVATE_PROPERTIES = [
  ...["picks", "popupClosed", "closeOnly", "slow", "formatMoney", "act", "pick"],
  ...["icon", "tone", "preset", "typed", "shown", "nudge", "catalog", "options", "order", "view", "start", "stop"],
  ...["__", "__b", "__c", "__d", "__e", "__E", "__h", "__i", "__k", "__m", "__n", "__P", "__r", "__s", "__u", "__v", "_sb"],
  ...["props", "state", "context", "base", "current", "render", "sub", "setState", "forceUpdate", "contextType", "defaultProps"],
  ...["componentWillMount", "componentDidMount", "componentWillReceiveProps", "shouldComponentUpdate", "componentWillUpdate", "componentDidUpdate"],
  ...["componentWillUnmount", "componentDidCatch", "getDerivedStateFromProps", "getDerivedStateFromError", "getSnapshotBeforeUpdate", "getChildContext"],
  ...["vnode", "diffed", "unmount", "debounceRendering"],
];

/**
 * What the dialog's copy of Preact 10 leaves out: the code paths of Preact's features that the
 * dialog never uses, each cut as an exact piece of Preact's published file
 * (preact/dist/preact.module.js), so that the minifier then drops what only they reached. The
 * dialog's components are functions that take the view model and return elements (ui/); nothing
 * in it is a class component, a hook, a context, an SVG or MathML element, a `style` or
 * `dangerouslySetInnerHTML` prop, a Suspense boundary, hydration, or an `options` hook (devtools,
 * preact/hooks, preact/debug), and test/widget/preact-trims.test.tsx holds the source to that and
 * renders every screen and change of screen with the trimmed Preact beside the whole one. A cut
 * that no longer matches, once, fails the build (trimPreact): a new Preact is read again, not
 * trimmed blind. The npm entry keeps the whole Preact (an app's bundler may hold other Preact
 * code); the component tests (trimPreactInTests) and the browser tests run the trimmed one. Taken together 1,249 B off the dialog's gzip (12,604 → 11,355 served) and 1,205 B
 * off its brotli (11,695 → 10,490), about a quarter of Preact's share; Preact 11 (11.2.0), tried
 * first, added 213 B of gzip to the dialog instead (its runtime is larger, 4,997 B gzipped alone
 * against 10.29.8's 4,852), which put loader + dialog over the brotli limit.
 */
export const PREACT_TRIMS: ReadonlyArray<{ feature: string; cuts: ReadonlyArray<readonly [from: string, to: string, times?: number]> }> = [
  {
    // No class component: every component takes the function path, and no component can
    // setState, forceUpdate (and so no render queue) or catch an error (no boundary to look for).
    feature: "class components, setState/forceUpdate and their render queue, error boundaries",
    cuts: [
      ["M=F.prototype&&F.prototype.render", "M=!1"],
      [
        `C.prototype.setState=function(n,l){var u;u=null!=this.__s&&this.__s!=this.state?this.__s:this.__s=m({},this.state),"function"==typeof n&&(n=n(m({},u),this.props)),n&&m(u,n),null!=n&&this.__v&&(l&&this._sb.push(l),A(this))},C.prototype.forceUpdate=function(n){this.__v&&(this.__e=!0,n&&this.__h.push(n),A(this))},`,
        "",
      ],
      [
        "l={__e:function(n,l,u,t){for(var i,r,o;l=l.__;)if((i=l.__c)&&!i.__)try{if((r=i.constructor)&&null!=r.getDerivedStateFromError&&(i.setState(r.getDerivedStateFromError(n)),o=i.__d),null!=i.componentDidCatch&&(i.componentDidCatch(n,t||{}),o=i.__d),o)return i.__E=i}catch(l){n=l}throw n}}",
        "l={__e:function(n){throw n}}",
      ],
      // The render queue's state, and the previous props and state only lifecycle methods were given.
      [`i=[],o="function"==typeof Promise?Promise.prototype.then.bind(Promise.resolve()):setTimeout,e=function(n,l){return n.__v.__b-l.__v.__b},H.__r=0,`, ""],
      ["y=p.props,d=p.state,", ""],
      // The lifecycle methods a function component's instance has only when context or preact/compat gives it them.
      ["||!p.__e&&null!=p.shouldComponentUpdate&&!1===p.shouldComponentUpdate(x,p.__s,P)", ""],
      ["null!=p.componentWillUpdate&&p.componentWillUpdate(x,p.__s,P),", ""],
      ["if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(n){l.__e(n,u)}", ""],
    ],
  },
  {
    // createContext: no Provider, no contextType, no getChildContext; every component gets the empty global context.
    feature: "context",
    cuts: [
      ["I=(s=F.contextType)&&i[s.__c],P=s?I?I.props.value:s.__:i,", "P=i,"],
      ["I&&I.sub(p),", ""],
      ["null!=p.getChildContext&&(i=m(m({},i),p.getChildContext())),", ""],
    ],
  },
  {
    // A component that throws a promise (lazy, Suspense).
    feature: "Suspense",
    cuts: [
      ["128&t.__u&&(c=!!(32&t.__u),o=[f=u.__e=t.__e]),", ""],
      ["if(n.then){for(u.__u|=c?160:128;f&&8==f.nodeType&&f.nextSibling;)f=f.nextSibling;null!=o&&(o[o.indexOf(f)]=null),u.__e=f}else if(null!=o)", "if(null!=o)"],
      ["n.then||B(u)", "B(u)"],
      ["128&u.__u?void 0:f", "f"],
    ],
  },
  {
    // The `options` hooks that preact/hooks, preact/debug and devtools set: nothing sets them here.
    feature: "options hooks",
    cuts: [
      ["return null==o&&null!=l.vnode&&l.vnode(e),e}", "return e}"],
      ["(s=l.__b)&&s(u);", ""],
      ["A=l.__r,", ""],
      ["A&&A(u),", "", 2],
      ["return(s=l.diffed)&&s(u),", "return "],
      ["l.__c&&l.__c(u,n),", ""],
      ["l.unmount&&l.unmount(n),", ""],
      ["return t(l.event?l.event(u):u)", "return t(u)"],
    ],
  },
  {
    // render(vnode, shadowRoot) only: no hydrate(), no replaceNode, no rendering into `document`.
    feature: "hydration",
    cuts: [
      [
        `function R(u,t,i){var r,o,e,f;t==document&&(t=document.documentElement),l.__&&l.__(u,t),o=(r="function"==typeof i)?null:i&&i.__k||t.__k,e=[],f=[],q(t,u=(!r&&i||t).__k=k(S,null,[u]),o||d,d,t.namespaceURI,!r&&i?[i]:o?null:t.firstChild?n.call(t.childNodes):null,e,!r&&i?i:o?o.__e:t.firstChild,r,f),D(e,u,f),u.props.children=null}`,
        `function R(u,t){var o=t.__k,e=[],f=[];q(t,u=t.__k=k(S,null,[u]),o||d,d,t.namespaceURI,o?null:t.firstChild?n.call(t.childNodes):null,e,o?o.__e:t.firstChild,!1,f),D(e,u,f),u.props.children=null}`,
      ],
      ["c||null!=o", "null!=o"],
      ["m===k||c&&u.data==k||(u.data=k)", "m===k||(u.data=k)"],
      ["c&&(l.__m&&l.__m(t,e),c=!1),", ""],
      ["!c&&null!=e)", "null!=e)"],
      [`c&&"function"!=typeof y||m[s]===y`, "m[s]===y"],
      [`c&&"textarea"!=x||(s="value"`, `(s="value"`],
    ],
  },
  {
    // HTML elements only: every element in the HTML namespace.
    feature: "SVG and MathML",
    cuts: [
      [`"svg"==x?o="http://www.w3.org/2000/svg":"math"==x?o="http://www.w3.org/1998/Math/MathML":o||(o="http://www.w3.org/1999/xhtml")`, `o="http://www.w3.org/1999/xhtml"`],
      [`"foreignObject"==x?"http://www.w3.org/1999/xhtml":o`, "o"],
      [`if("http://www.w3.org/2000/svg"==i)l=l.replace(/xlink(H|:h)/,"h").replace(/sName$/,"s");else if(`, "if("],
    ],
  },
  {
    // The `style` prop (a style attribute would need style-src 'unsafe-inline' anyway: the dialog styles by class).
    feature: "the style prop",
    cuts: [[`if("style"==l)if("string"==typeof u)n.style.cssText=u;else{if("string"==typeof t&&(n.style.cssText=t=""),t)for(l in t)u&&l in u||z(n.style,l,"");if(u)for(l in u)t&&u[l]==t[l]||z(n.style,l,u[l])}else if(`, "if("]],
  },
  {
    feature: "dangerouslySetInnerHTML",
    cuts: [
      [`"dangerouslySetInnerHTML"==s?p=y:`, ""],
      [`"dangerouslySetInnerHTML"==s?h=y:`, ""],
      [`if(h)c||p&&(h.__html==p.__html||h.__html==u.innerHTML)||(u.innerHTML=h.__html),t.__k=[];else if(p&&(u.innerHTML=""),`, "if("],
    ],
  },
];

/** Preact's published file with PREACT_TRIMS cut; throws, naming the cut, when one does not match exactly. */
export function trimmedPreact(code: string, trims = PREACT_TRIMS): string {
  for (const { feature, cuts } of trims)
    for (const [from, to, times = 1] of cuts) {
      const found = code.split(from).length - 1;
      if (found !== times) throw new Error(`Preact's code is not what PREACT_TRIMS (vite.config.ts) cuts for ${feature}: ${JSON.stringify(from.slice(0, 60))}… is there ${found} times, not ${times}. Read the new Preact and update the cuts.`);
      code = code.replaceAll(from, to);
    }
  return code;
}

/**
 * The dialog build's Preact, trimmed (PREACT_TRIMS). A build that bundles Preact from another of
 * its files (another resolve condition, say) fails, rather than ship the whole Preact unnoticed.
 */
export function trimPreact(): Plugin {
  let trimmed = false;
  return {
    name: "octopus-trim-preact",
    buildStart() {
      trimmed = false;
    },
    transform(code, id) {
      const path = id.replaceAll("\\", "/");
      if (/\/node_modules\/preact\/dist\/[^/]+\.m?js$/.test(path) && !path.endsWith("/preact.module.js"))
        this.error(`the dialog's build takes Preact from ${path}, where PREACT_TRIMS (vite.config.ts) cuts preact.module.js`);
      if (!path.endsWith("/node_modules/preact/dist/preact.module.js")) return null;
      trimmed = true;
      try {
        return { code: trimmedPreact(code), map: null };
      } catch (error) {
        this.error((error as Error).message);
      }
    },
    buildEnd(error) {
      if (!error && !trimmed) this.error("the dialog's build bundled no preact/dist/preact.module.js for PREACT_TRIMS (vite.config.ts) to trim");
    },
  };
}

/**
 * The unit tests' Preact, cut as the dialog's is, so that the component tests render with the
 * runtime that ships (test/widget/preact-trims.test.tsx compares the two runtimes, loading the whole
 * one from a copy of its own). Vitest takes Preact as the ES module preact.mjs, the same text as
 * preact.module.js; it goes through this plugin because the test config inlines it.
 */
function trimPreactInTests(): Plugin {
  return {
    name: "octopus-trim-preact-in-tests",
    transform(code, id) {
      if (!/\/node_modules\/preact\/dist\/preact\.(mjs|module\.js)$/.test(id.replaceAll("\\", "/"))) return null;
      return { code: trimmedPreact(code), map: null };
    },
  };
}

/** An IIFE of `entry` that sets the global `name`, built in memory. */
const iife = (entry: string, name: string, define: Record<string, string> = {}, minify: Rolldown.OutputOptions["minify"] = true, plugins: Plugin[] = []): InlineConfig => ({
  configFile: false,
  root: ROOT,
  logLevel: "warn",
  mode: "production",
  ...COMMON,
  plugins,
  define,
  build: {
    write: false,
    target: "es2022",
    reportCompressedSize: false,
    // No Symbol.toStringTag on the namespace the IIFE returns: nothing reads it, and it costs bytes.
    rolldownOptions: { output: { generatedCode: { symbols: false }, minify } },
    lib: { entry: join(ROOT, entry), name, formats: ["iife"], fileName: () => "out.js" },
  },
});

/**
 * The setup report: widget/setup-report.ts, the merchant's console messages about a page's setup,
 * as one IIFE that sets `OctopusCheckoutSetup`. The dialog fetches it only when the setup is wrong.
 */
export const SETUP_BUILD = iife("widget/setup-report.ts", "OctopusCheckoutSetup");

/**
 * The dialog's message keys as their short names (widget/i18n/message-names.ts): every string in
 * the widget's source that is a key with a short name (`"waitingPopupClosed"`, in `t(…)` or kept in
 * a variable or a table first), and en.ts's own keys. The keys that are also something else (a
 * step, a screen, an action, a class) have no short name, so no other string is renamed. A build
 * step, not the source: people read `t("waitingPopupClosed")`. 160 B off the dialog's gzip and
 * 140 B off its brotli when it came in. The edits stay within their lines, so the source map (for
 * the bench's per-module figures) is off by a few columns at most.
 */
export function shortMessageKeys(names: ReadonlyMap<string, string> = MESSAGE_NAMES): Plugin {
  const keys = [...names.keys()].join("|");
  const quoted = RegExp(`(["'\`])(${keys})\\1`, "g");
  const declared = RegExp(`^(\\s+)(${keys})(?=:)`, "gm");
  return {
    name: "octopus-short-message-keys",
    enforce: "pre",
    transform(code, id) {
      // Module ids have forward slashes, paths on Windows backslashes: compare them alike.
      const path = id.replaceAll("\\", "/");
      const widget = `${ROOT.replaceAll("\\", "/")}widget/`;
      if (!path.startsWith(widget) || !/\.tsx?$/.test(path)) return null;
      let renamed = code.replace(quoted, (_, quote: string, key: string) => quote + names.get(key)! + quote);
      if (path === `${widget}i18n/en.ts`) renamed = renamed.replace(declared, (_, indent: string, key: string) => indent + names.get(key)!);
      return renamed === code ? null : { code: renamed, map: null };
    },
    // A key left in full would be looked up under a name the translation does not have: fail the build instead.
    renderChunk(code) {
      const left = [...names.keys()].filter((key) => RegExp(`["'\`]${key}["'\`]|[{,]${key}:`).test(code));
      if (left.length) this.error(`the dialog file still names these message keys in full: ${left.join(", ")} (vite.config.ts, shortMessageKeys)`);
      return null;
    },
  };
}

/**
 * The dialog: widget/dialog.ts, its components on Preact's own runtime, as one IIFE that sets
 * `OctopusCheckoutDialog`, its message keys shortened (shortMessageKeys), so that it asks for
 * translations with the same short names (`__OCTOPUS_MESSAGES__`, their version). `setup`: the
 * setup report's file name and integrity (null: it fetches none).
 */
export const dialogConfig = (setup: { file: string; integrity: string } | null): InlineConfig =>
  iife(
    "widget/dialog.ts",
    "OctopusCheckoutDialog",
    { __OCTOPUS_SETUP__: JSON.stringify(setup), __OCTOPUS_MESSAGES__: JSON.stringify(MESSAGE_NAMES_VERSION) },
    { compress: true, mangle: true, mangleProps: { include: RegExp(`^(${DIALOG_PRIVATE_PROPERTIES.join("|")})$`) } },
    [shortMessageKeys(), trimPreact()],
  );

/**
 * The loader, widget/main.ts, built alone as `vite build` builds it, given the dialog file's name and
 * integrity: for the bench's look at what it is made of (test/bench/size-modules.ts).
 */
export const loaderConfig = (dialog: { file: string; integrity: string }): InlineConfig => iife("widget/main.ts", "OctopusCheckout", { __OCTOPUS_DIALOG__: JSON.stringify(dialog) });

/** The file name a built file is served under and the integrity it is checked against (of the exact bytes served). */
export function builtFile(code: string, prefix = "dialog"): { file: string; integrity: string } {
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 12);
  // SHA-256: as strong as integrity needs here, and 20 B shorter in widget.js than SHA-384.
  return { file: `${prefix}.${hash}.js`, integrity: `sha256-${createHash("sha256").update(code).digest("base64")}` };
}

/**
 * A second pass over the dialog file's minified code: terser's compressor (three passes, and
 * anonymous functions that use no `this` as arrows) finds what oxc's leaves behind: 38 B of gzip
 * off the dialog without the arrows, 64 B with them (13,229 → 13,167 at zlib level 9, 12,798 →
 * 12,734 served). Terser alone, mangling the properties too, did worse than oxc (13,279 B); on
 * the loader it costs bytes, so the loader keeps oxc's output. Names are oxc's already: terser
 * mangles only within functions, never the global the file sets (its `toplevel` would rename it).
 * `unsafe`: on this file it only writes template literals and `String(n)` as `+` concatenation,
 * which gives the same string when every operand is a string or a number, as each one here is
 * (URL parts, event and storage key names, screen names, digits); 20 B of gzip off the dialog
 * (11,355 → 11,335 served), 36 B of brotli. Terser's other `unsafe_*` and `pure_getters` took
 * off nothing or added bytes.
 */
export async function polish(code: string): Promise<string> {
  const result = await minify(code, { ecma: 2020, module: false, compress: { passes: 3, ecma: 2020, unsafe_arrows: true, unsafe: true }, mangle: true });
  if (result.code === undefined) throw new Error("terser returned no code for the dialog file");
  return result.code;
}

async function buildChunk(config: InlineConfig): Promise<string> {
  const result = await build(config);
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunk = outputs[0]?.output.find((item) => item.type === "chunk");
  if (chunk?.type !== "chunk") throw new Error(`the ${String(config.build?.lib && config.build.lib.name)} build produced no chunk`);
  return chunk.code;
}

/**
 * Builds the setup report, then the dialog with the report's file name and integrity, then gives
 * the loader the dialog's as the compile-time constant `__OCTOPUS_DIALOG__`, and writes both files
 * beside widget.js. Each file's bytes are final before the file that names it is built: an
 * integrity cannot describe another file.
 */
export function dialogBuild(): Plugin {
  const files: Array<{ file: string; code: string }> = [];
  return {
    name: "octopus-dialog",
    apply: "build",
    async config() {
      files.length = 0;
      const setupCode = await buildChunk(SETUP_BUILD);
      const setup = builtFile(setupCode, "dialog-setup");
      const code = await polish(await buildChunk(dialogConfig(setup)));
      const dialog = builtFile(code);
      files.push({ file: dialog.file, code }, { file: setup.file, code: setupCode });
      return { define: { __OCTOPUS_DIALOG__: JSON.stringify(dialog) } };
    },
    generateBundle() {
      for (const { file, code } of files) this.emitFile({ type: "asset", fileName: file, source: code });
    },
  };
}

/**
 * Writes `<file>.br` (servedBrotli) and `<file>.gz` (servedGzip) beside every built file: what the
 * server sends to a browser that takes brotli, and to one that takes gzip only.
 */
export function precompress(): Plugin {
  return {
    name: "octopus-precompress",
    apply: "build",
    async generateBundle(_, bundle) {
      for (const file of Object.values(bundle)) {
        const code = file.type === "chunk" ? file.code : file.source;
        if (!file.fileName.endsWith(".js") || typeof code !== "string") continue;
        this.emitFile({ type: "asset", fileName: `${file.fileName}.br`, source: servedBrotli(code) });
        this.emitFile({ type: "asset", fileName: `${file.fileName}.gz`, source: await servedGzip(code) });
      }
    },
  };
}

const NPM_BUILD = {
  outDir: "dist/npm",
  emptyOutDir: true,
  target: "es2022",
  lib: { entry: "widget/index.ts", formats: ["es" as const], fileName: () => "index.js" },
};

/**
 * `vite build`: into dist/widget/, widget.js (the loader, an IIFE held to its size budget) and
 * dialog.<hash>.js (the dialog on Preact, loaded by widget.js with Subresource Integrity).
 * `vite build --mode npm`: the npm entry, widget/index.ts as one ES module in dist/npm/ (loader
 * and dialog together, Preact included, so an app needs nothing else); its declarations come from
 * widget/tsconfig.npm.json.
 */
export default defineConfig(({ mode }) => ({
  plugins: mode === "npm" ? [] : mode === "test" ? [trimPreactInTests()] : [dialogBuild(), sizeBudget(), precompress()],
  ...COMMON,
  // The npm entry and the unit tests run no checkSetup from a page: no setup report file to fetch;
  // and they keep the full message keys, so they ask for translations with those.
  define: { __OCTOPUS_SETUP__: "null", __OCTOPUS_MESSAGES__: "null" },
  build:
    mode === "npm"
      ? NPM_BUILD
      : {
          outDir: "dist/widget",
          emptyOutDir: true,
          target: "es2022",
          // Vite's own figure is gzip at another level, in kB of 1,000 B: sizeBudget() prints the one that counts.
          reportCompressedSize: false,
          lib: { entry: "widget/main.ts", name: "OctopusCheckout", formats: ["iife"], fileName: () => "widget.js" },
        },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // The reliability suite is long and has its own run: npm run test:reliability.
    exclude: [...configDefaults.exclude, "test/reliability/**"],
    environment: "node",
    // Preact and what renders with it, through trimPreactInTests(): one (trimmed) Preact for all.
    server: { deps: { inline: [/\/node_modules\/preact\//, /\/node_modules\/@testing-library\/preact\//] } },
    testTimeout: 15_000,
    // In CI a JSON report as well, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: "test-results/vitest.json" },
    hookTimeout: 15_000,
  },
}));
