import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * `npx vite build`, as `npm run build` does: the widget bundle into dist/widget/. Not in the test
 * worker's environment: under NODE_ENV=test (or VITEST_*) vite would not build for production.
 */
export function viteBuild(): Promise<void> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "NODE_ENV" && !name.startsWith("VITEST")));
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["vite", "build", "--logLevel", "warn"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`npx vite build exited with ${code}:\n${output}`))));
  });
}
