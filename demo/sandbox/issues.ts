/** Zod issues as one readable sentence naming the field: "The 'ms' field must be a number." */
import type * as z from "zod";
import { fieldMessage } from "./responses.ts";

export const quoteList = (values: readonly unknown[]): string => {
  const quoted = values.map((value) => JSON.stringify(value));
  return quoted.length <= 1 ? (quoted[0] ?? "") : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
};

const TYPE_NAMES: ReadonlySet<string> = new Set(["string", "number", "boolean", "object", "array"]);

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** `input` is what was parsed: zod does not keep it in the issue, and "missing" reads better than "wrong type". */
export function describeIssue(issue: z.core.$ZodIssue, input?: unknown): string {
  const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "body";
  switch (issue.code) {
    case "invalid_value":
      return fieldMessage(field, `must be ${quoteList(issue.values)}`);
    case "invalid_type":
      if (valueAt(input, issue.path) === undefined) return fieldMessage(field, "is required");
      // A refinement such as .int("must be …") is reported as invalid_type with its own message.
      return TYPE_NAMES.has(issue.expected) ? fieldMessage(field, `must be a ${issue.expected}`) : fieldMessage(field, issue.message);
    case "unrecognized_keys":
      return fieldMessage(issue.keys[0] ?? field, "is not allowed here");
    default:
      // Our schemas' own messages read "must …", which completes the sentence.
      return fieldMessage(field, issue.message);
  }
}
