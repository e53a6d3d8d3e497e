/**
 * The renderer that widget.js ships: Preact's `h`, `Fragment` and `render` for the subset of Preact
 * the widget's components use, in about 0.5 KiB gzipped where Preact's own runtime is 3.8 KiB.
 * The build points `preact` here (vite.config.ts); the tests render the same components with
 * Preact itself, so they stay Preact components, and this renderer is tested on its own
 * (test/widget/dom.test.tsx), under the controller's tests, and in Chromium.
 *
 * What it relies on: components are pure functions of their props (no state, no hooks, no
 * context: the controller holds the state and renders the whole tree on every change). So a
 * component is called while rendering, and what is left is a tree of elements to bring the DOM in
 * line with. It reads Preact's own vnodes (`{type, props, key, ref}`) as well as its own.
 *
 * It patches in place, child by child, matching by tag and key: a node that matches is kept (a
 * focused input keeps its focus and caret while the shopper types; an iframe is not reloaded),
 * one that is gone is removed, one that is new is inserted. Props are compared with the ones last
 * rendered, except `value` and `checked`, which the shopper changes: those are compared with the
 * live DOM. Handlers are set as `on*` properties (no listener bookkeeping, and no inline script,
 * so nothing for a CSP to refuse). A `ref` is called with its element after every render.
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

function patch(node: Rendered, kid: Item | string) {
  if (typeof kid == "string") {
    if (node.nodeValue != kid) node.nodeValue = kid;
    return;
  }
  const element = node as Element & Rendered & Record<string, unknown>;
  const props = kid.props;
  const old = element._p ?? {};
  for (const name of new Set([...Object.keys(old), ...Object.keys(props)])) {
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
  children(element, flat(props.children, []));
  kid.ref?.(element);
}

function children(parent: ParentNode, kids: Array<Item | string>) {
  const nodes = parent.childNodes as NodeListOf<Rendered>;
  kids.forEach((kid, i) => {
    let node: Rendered | undefined = nodes[i];
    // The node here is gone (the next one is this kid): remove it rather than rebuild the rest.
    if (!same(node, kid) && same(nodes[i + 1], kid) && !same(node, kids[i + 1])) {
      node!.remove();
      node = nodes[i];
    }
    if (!same(node, kid)) {
      // A new node: inserted here, so that the ones after it can still match the kids after it.
      const created: Rendered = typeof kid == "string" ? parent.ownerDocument!.createTextNode("") : parent.ownerDocument!.createElement(kid.type);
      parent.insertBefore(created, node ?? null);
      node = created;
    }
    patch(node!, kid);
  });
  while (nodes.length > kids.length) nodes[kids.length]!.remove();
}

/** Brings `parent`'s children in line with `vnode`; `render(null, parent)` empties it. */
export function render(vnode: unknown, parent: ParentNode): void {
  children(parent, flat(vnode, []));
}
