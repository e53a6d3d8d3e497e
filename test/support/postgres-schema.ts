/** The PostgreSQL suites each work in a schema of their own; this drops one afterwards. */
import postgres from "postgres";

export async function dropSchema(url: string, schema: string): Promise<void> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
