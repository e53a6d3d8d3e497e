/**
 * Failures a tester can inject into API calls, to rehearse what the client must survive: a 500, an
 * unreadable answer, no answer at all, and the nasty ones where the order was stored anyway.
 */
import * as z from "zod";

export const FaultEndpoint = z.enum(["new", "get", "any"]);
export const FaultMode = z.enum(["error500", "malformed", "hang", "commit_then_hang", "commit_then_fail"]);
export type FaultEndpoint = z.infer<typeof FaultEndpoint>;
export type FaultMode = z.infer<typeof FaultMode>;

export const FaultSpec = z.strictObject({
  endpoint: FaultEndpoint,
  mode: FaultMode,
  /** How many calls it applies to; unlimited while present when absent. */
  times: z.number().int("must be a whole number").min(1, "must be at least 1").optional(),
  /** Chance (0..1) that a call it could apply to is hit. */
  probability: z.number().min(0, "must be from 0 to 1").max(1, "must be from 0 to 1").optional(),
});
export type FaultSpec = z.infer<typeof FaultSpec>;

export interface ActiveFault extends FaultSpec {
  id: number;
  /** Calls it will still apply to; null for unlimited. */
  remaining: number | null;
}

export interface FaultPlan {
  add(spec: FaultSpec): ActiveFault;
  clear(): void;
  list(): ActiveFault[];
  /** The mode to apply to this call, if any; counts the call against the fault's `times`. */
  take(endpoint: "new" | "get"): FaultMode | undefined;
}

export function createFaultPlan(random: () => number): FaultPlan {
  let faults: ActiveFault[] = [];
  let nextId = 1;
  return {
    add(spec) {
      const checked = FaultSpec.parse(spec);
      const fault: ActiveFault = { ...checked, id: nextId++, remaining: checked.times ?? null };
      faults.push(fault);
      return { ...fault };
    },
    clear() {
      faults = [];
    },
    list: () => faults.map((fault) => ({ ...fault })),
    take(endpoint) {
      // First matching fault wins, in the order they were added.
      for (const fault of faults) {
        if (fault.endpoint !== "any" && fault.endpoint !== endpoint) continue;
        if (fault.probability !== undefined && !(random() < fault.probability)) continue;
        if (fault.remaining !== null) {
          fault.remaining--;
          if (fault.remaining <= 0) faults = faults.filter((other) => other !== fault);
        }
        return fault.mode;
      }
      return undefined;
    },
  };
}
