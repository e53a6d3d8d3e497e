/**
 * The renderer that widget.js ships: Preact's `h`, `Fragment` and `render` for the subset of Preact
 * the widget's components use, in 0.9 kB gzipped where Preact's are 4.4 kB (npm run bench).
 * The build points `preact` here (vite.config.ts); the tests render the same components with
 * Preact itself, so they stay Preact components, and this renderer is tested on its own
 * (test/widget/dom.test.tsx), under the controller's tests, and in Chromium.
 *
 * What it relies on: components are pure functions of their props (no state, no hooks, no
 * context: the controller holds the state and renders the whole tree on every change). So a
 * component is called while rendering, and what is left is a tree of elements to bring the DOM in
 * line with. It reads Preact's own vnodes (`{type, props, key, ref}`) as well as its own.
 *
 * It patches in place, matching children by tag and key: a node that matches is kept (a focused
 * input keeps its focus and caret while the shopper types; an iframe is not reloaded), one that
 * is gone is removed, one that is new is inserted; nothing is moved. Props are compared with the
 * ones last rendered, except `value` and `checked`, which the shopper changes: those are compared
 * with the live DOM. Handlers are set as `on*` properties (no listener bookkeeping, and no inline script,
 * so nothing for a CSP to refuse). A `ref` is called with its element at the end of every render.
 */
import type { JSX as PreactJSX } from "preact";

type Props = Record<string, unknown>;
type Component = (props: Props) => unknown;
export interface VNode {
  type: string | Component;
  props: Props;
  key?: unknown;
  ref?: ((node: Element) => void) | null;
}
type Item = VNode & { type: string };
type Rendered = ChildNode & { _p?: Props; _k?: unknown };

export function h<P extends object>(type: string | ((props: P) => unknown), props: P | null, ...children: unknown[]): VNode {
  const all: Props = { ...props, children };
  return { type: type as VNode["type"], props: all, key: all.key, ref: all.ref as VNode["ref"] };
}

// JSX in this module's terms is Preact's: the same elements and attributes, type-checked the same.
export declare namespace h {
  export type { PreactJSX as JSX };
}

export const Fragment = (props: { children?: unknown }) => props.children;

/** Children → elements and strings: arrays flattened, components called, nothing for null, booleans and "". */
function flat(child: unknown, out: Array<Item | string>): Array<Item | string> {
  if (Array.isArray(child)) for (const each of child) flat(each, out);
  else if (typeof (child as VNode)?.type == "function") flat((child as VNode & { type: Component }).type((child as VNode).props), out);
  else if (child != null && typeof child != "boolean" && child !== "") out.push(typeof child == "object" ? (child as Item) : String(child));
  return out;
}

const same = (node: Rendered | undefined, kid: Item | string | undefined) =>
  !!node && kid != null && (typeof kid == "string" ? node.nodeType == 3 : node.nodeName.toLowerCase() == kid.type && node._k == kid.key);

/** Refs to call once the whole tree is in place: showModal() throws on a dialog not yet in the page. */
type Refs = Array<() => void>;

function patch(node: Rendered, kid: Item | string, refs: Refs) {
  if (typeof kid == "string") {
    if (node.nodeValue != kid) node.nodeValue = kid;
    return;
  }
  const element = node as Element & Rendered & Record<string, unknown>;
  const props = kid.props;
  const old = element._p ?? {};
  for (const name in { ...old, ...props }) {
    const value = props[name];
    if (/^(children|key|ref)$/.test(name)) continue;
    if (name == "value" || name == "checked") {
      // What the shopper typed or picked lives in the DOM: only a different value is written.
      const live = value ?? (name == "value" ? "" : false);
      if (element[name] !== live) element[name] = live;
    } else if (value !== old[name]) {
      if (name[0] == "o" && name[1] == "n") element[name.toLowerCase()] = value ?? null;
      // A property where the element has one (noValidate, inputMode, src…); aria-*, class, role
      // and type as attributes, aria-* keeping "false" as Preact does.
      else if (name in element && !/-|^(class|role|type)$/.test(name)) element[name] = value ?? "";
      else if (value == null || (value === false && name[4] != "-")) element.removeAttribute(name);
      else element.setAttribute(name, value === true && name[4] != "-" ? "" : String(value));
    }
  }
  element._p = props;
  element._k = kid.key;
  children(element, flat(props.children, []), refs);
  const ref = kid.ref;
  if (ref) refs.push(() => ref(element));
}

/**
 * Keeps the longest run of old nodes that match the new kids in order (tag and key), removes the
 * rest and inserts what is new, never moving a node: a moved or rebuilt iframe loads its payment
 * page again, and a moved input loses focus. Lists here are a dozen nodes, so the table is small.
 */
function children(parent: ParentNode, kids: Array<Item | string>, refs: Refs) {
  const old = [...parent.childNodes] as Rendered[];
  const width = kids.length + 1;
  // common(i, j): how many of old[i..] can be kept for kids[j..].
  const table: number[] = Array((old.length + 1) * width).fill(0);
  const common = (i: number, j: number) => table[i * width + j]!;
  for (let i = old.length; i--; ) for (let j = kids.length; j--; ) table[i * width + j] = same(old[i], kids[j]) ? common(i + 1, j + 1) + 1 : Math.max(common(i + 1, j), common(i, j + 1));
  let i = 0;
  kids.forEach((kid, j) => {
    // An old node that keeping would not help: gone.
    while (i < old.length && !same(old[i], kid) && common(i + 1, j) >= common(i, j + 1)) old[i++]!.remove();
    if (same(old[i], kid)) return patch(old[i++]!, kid, refs);
    // A new node gets its props and children before it goes in: an iframe then loads once, with
    // its `allow` already set (a browser applies `allow` to the next load only).
    const created: Rendered = typeof kid == "string" ? parent.ownerDocument!.createTextNode("") : parent.ownerDocument!.createElement(kid.type);
    patch(created, kid, refs);
    parent.insertBefore(created, old[i] ?? null);
  });
  while (i < old.length) old[i++]!.remove();
}

/** Brings `parent`'s children in line with `vnode`; `render(null, parent)` empties it. */
export function render(vnode: unknown, parent: ParentNode): void {
  const refs: Refs = [];
  children(parent, flat(vnode, []), refs);
  for (const call of refs) call();
}
