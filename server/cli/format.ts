/**
 * How the CLI shows things to a person: aligned tables, money as the decimal strings the store
 * keeps (never re-computed through floats), times as ISO (exact, sortable) or relative (at a glance).
 * Everything printed passes `clean`, since order fields come from shoppers' browsers and a
 * terminal escape in a description must not reach an operator's terminal.
 */

export const NONE = "-";

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Control characters (terminal escapes, line breaks) become "?". */
export function printable(value: string): string {
  return value.replace(CONTROL, "?");
}

/** A value for a person: printable, and "-" when there is none. */
export function clean(value: string | null | undefined): string {
  return value === null || value === undefined || value === "" ? NONE : printable(value);
}

export function money(amount: string | null, currency: string): string {
  return amount === null ? NONE : `${amount} ${currency.toUpperCase()}`;
}

/** ISO 8601 to the second, UTC: "2026-12-02T09:30:00Z". */
export function isoTime(at: number | string | null): string {
  if (at === null) return NONE;
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", or "in 5 min" for the future. */
function relativeTime(at: number | string, now: number): string {
  const ms = now - new Date(at).getTime();
  const abs = Math.abs(ms);
  if (abs < 45_000) return "just now";
  const [value, unit] =
    abs < 3_600_000 ? [Math.round(abs / 60_000), "min"] : abs < 48 * 3_600_000 ? [Math.round(abs / 3_600_000), "h"] : [Math.round(abs / 86_400_000), "days"];
  return ms >= 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/** Both, for a single object's page: "2026-12-02T09:30:00Z (5 min ago)". */
export function when(at: number | string | null, now: number): string {
  return at === null ? NONE : `${isoTime(at)} (${relativeTime(at, now)})`;
}

export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

export interface Column {
  title: string;
  align?: "left" | "right";
}

const width = (text: string) => [...text].length;

/** Columns padded to their widest cell, two spaces apart, a header in capitals. */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cells = [columns.map((column) => column.title.toUpperCase()), ...rows.map((row) => row.map(printable))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => width(row[index] ?? ""))));
  return cells
    .map((row) =>
      columns
        .map((column, index) => {
          const cell = row[index] ?? "";
          const pad = " ".repeat(widths[index]! - width(cell));
          return column.align === "right" ? pad + cell : cell + pad;
        })
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Label/value lines with the values aligned, for one object. */
export function fields(entries: readonly (readonly [string, string])[], indent = "  "): string {
  const labelWidth = Math.max(...entries.map(([label]) => width(label)));
  return entries.map(([label, value]) => `${indent}${label}${" ".repeat(labelWidth - width(label))}  ${clean(value)}`).join("\n");
}
