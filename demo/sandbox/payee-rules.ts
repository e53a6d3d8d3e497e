/**
 * What the gateway wants of a payout's payee (`to`, `to_name`, `to_bank_name`), country by country,
 * beyond what the shared schema (server/gateway/schemas.ts) already checks for client and sandbox
 * alike. Each rule names its source: `000` is the gateway's general order API document, `001` its Thailand variant
 * (both summarised in docs/gateway.md). "Decision" marks a
 * rule the gateway's documents do not state, taken because a transfer cannot be made without it.
 *
 * Already in the shared schema, and so refused before these run:
 * - `accounting_type` `pay`/`settle` with expense, `recharge`/`receive` with income (000 and 001,
 *   order/get: "对于收入:接收、充值;对于支出:支付、结算").
 * - Thailand: `from_bank_name` refused on payouts (001: "僅代收使用,代付請勿填寫"), `to_name` refused on
 *   collections (001: "僅代付使用,代收請勿填寫"), `channel` required (001: 是).
 * - Bangladesh: a `to_bank_name` other than `bkash` refused on payouts (000: "孟加拉請帶入:bkash").
 */
import type { NewOrderRequest } from "../../server/gateway/schemas.ts";
import { fieldMessage } from "./responses.ts";

/**
 * Decision: the bank list the gateway's documents point to ("支持银行清单", 001's "THAI泰国支持银行代码文件") is not
 * in them, so any code-shaped value is accepted: letters, digits, '_' and '-', as bank codes are
 * written ("KBANK", "014", "bkash").
 */
const BANK_CODE = /^[A-Za-z0-9_-]{2,32}$/;

export interface PayeeRule {
  /** Where the rule comes from, for the README and for whoever changes it. */
  source: string;
  applies(order: NewOrderRequest): boolean;
  /** The problem, worded as the gateway's other field errors, or undefined when the rule holds. */
  check(order: NewOrderRequest): string | undefined;
}

const isPayout = (order: NewOrderRequest) => order.transaction_type === "expense";
const required = (field: "to" | "to_name" | "to_bank_name", why: string) => (order: NewOrderRequest) =>
  order[field] ? undefined : fieldMessage(field, `is required ${why}`);

const PAYEE_RULES: readonly PayeeRule[] = [
  {
    source: "Decision: 000 and 001 list `to` (收款方账户, the payee's account) as optional for every order, but a payout without one has nowhere to go.",
    applies: isPayout,
    check: required("to", "for payouts (the payee's account)"),
  },
  {
    source: "000: to_bank_name \"孟加拉請帶入:bkash\" (Bangladesh: send bkash). Required: the document tells the merchant to send it.",
    applies: (order) => isPayout(order) && order.currency === "bdt",
    check: required("to_bank_name", 'for Bangladesh payouts: send "bkash"'),
  },
  {
    source: "001: to_bank_name \"参考THAI泰国支持银行代码文件的银行编码\" (a Thai bank code). Required is a decision: `payment` `thailand` is a bank transfer, and a transfer needs the payee's bank.",
    applies: (order) => isPayout(order) && order.currency === "thb",
    check: required("to_bank_name", "for Thailand payouts (the payee's bank code)"),
  },
  {
    source: "001: to_name \"僅代付使用\" (used for payouts only). Required is a decision: it is the Thai doc's payout field, and Thai transfers are checked against the account name.",
    applies: (order) => isPayout(order) && order.currency === "thb",
    check: required("to_name", "for Thailand payouts (the payee's account name)"),
  },
  {
    source: "000: to_bank_name \"其他地區請參照支持银行清单代码帶入\" (elsewhere, a code from the supported bank list). The list is not in the gateway's documents: see BANK_CODE.",
    applies: (order) => isPayout(order) && order.to_bank_name !== undefined,
    check: (order) =>
      BANK_CODE.test(order.to_bank_name ?? "") ? undefined : fieldMessage("to_bank_name", "must be a bank code from the gateway's list: 2 to 32 letters, digits, '_' or '-'"),
  },
];

/** The first payee problem of a request, or undefined when it has none. */
export function checkPayee(order: NewOrderRequest): string | undefined {
  for (const rule of PAYEE_RULES) {
    if (!rule.applies(order)) continue;
    const problem = rule.check(order);
    if (problem) return problem;
  }
  return undefined;
}
