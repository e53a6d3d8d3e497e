/**
 * Settings of the standalone sandbox (`npm run sandbox`), from the environment its entry point
 * (main.ts) hands over. Here rather than in server/config.ts so that the sandbox imports nothing from
 * the server that imports demo/ back. Problems are reported all at once, one line each.
 */
import * as z from "zod";

export type Env = Readonly<Record<string, string | undefined>>;

/** Every problem found in the environment; `message` has one line per problem. */
export class SandboxConfigError extends Error {
  override readonly name = "SandboxConfigError";
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

// An exported-but-empty variable (`PORT=`) is treated as unset, as shells and .env files make
// "empty" and "absent" hard to tell apart.
const unsetIfEmpty = (value: unknown) => (value === "" ? undefined : value);

const port = z.preprocess(
  unsetIfEmpty,
  z
    .string()
    .regex(/^[0-9]{1,5}$/, "must be a whole number from 1 to 65535")
    .transform(Number)
    .pipe(z.number().int().min(1, "must be a whole number from 1 to 65535").max(65535, "must be a whole number from 1 to 65535"))
    .optional(),
);

// Values that are signed by the client must be signable: no '&', '=' or control characters
// (see server/gateway/signing.ts), and no spaces, which no gateway credential contains.
const credential = (what: string) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .max(128, `must be at most 128 characters`)
      .regex(/^[\x21-\x7e]+$/, `must be printable ASCII without spaces (${what})`)
      .refine((value) => !/[&=]/.test(value), `must not contain '&' or '=' (${what})`)
      .optional(),
  );

const SandboxEnv = z.object({
  PORT: port,
  SANDBOX_API_KEY: credential("the sandbox's OC-Key"),
  SANDBOX_API_SECRET: z.preprocess(
    unsetIfEmpty,
    z.string().max(256, "must be at most 256 characters").regex(/^[^\s]+$/, "must not contain whitespace").optional(),
  ),
  SANDBOX_MERCHANT_UID: credential("the sandbox merchant's UID"),
});

export interface SandboxSettings {
  port: number;
  host: "127.0.0.1";
  apiKey: string;
  apiSecret: string;
  merchantUid: string;
}

function problemsOf(error: z.ZodError): string[] {
  // Never echo the offending value: it may be a secret.
  return error.issues.map((issue) => `${issue.path.join(".") || "environment"} ${issue.message}`);
}

/** Settings of the standalone sandbox (`npm run sandbox`). Throws `SandboxConfigError`. */
export function readSandboxSettings(env: Env): SandboxSettings {
  const parsed = SandboxEnv.safeParse({
    PORT: env.PORT,
    SANDBOX_API_KEY: env.SANDBOX_API_KEY,
    SANDBOX_API_SECRET: env.SANDBOX_API_SECRET,
    SANDBOX_MERCHANT_UID: env.SANDBOX_MERCHANT_UID,
  });
  if (!parsed.success) throw new SandboxConfigError(problemsOf(parsed.error));
  const values = parsed.data;
  return {
    port: values.PORT ?? 8788,
    // Loopback only: the sandbox has unauthenticated control routes.
    host: "127.0.0.1",
    apiKey: values.SANDBOX_API_KEY ?? "sandbox-key",
    apiSecret: values.SANDBOX_API_SECRET ?? "sandbox-secret",
    merchantUid: values.SANDBOX_MERCHANT_UID ?? "sandbox-merchant",
  };
}

