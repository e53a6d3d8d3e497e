/**
 * The repository's own import graph, read from the source text: which relative modules a file loads,
 * for tests that keep server/ and demo/ apart. Type-only imports count: they are edges a reader follows.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

/** `path` relative to the repository, as the tests print it. */
export const repoPath = (file: string) => relative(ROOT, file);

/** Every .ts/.tsx file under a folder of the repository, as absolute paths. */
export function sourcesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => join(ROOT, dir, file));
}

/** The relative modules a file loads: `static` by import/export … from and bare imports, `dynamic` by import(). */
export function importsOf(file: string): { static: string[]; dynamic: string[] } {
  // Comments may name modules too ("see server/config.ts"): they load nothing.
  const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const resolveAll = (specifiers: string[]) => specifiers.filter((specifier) => specifier.startsWith(".")).map((specifier) => resolve(dirname(file), specifier));
  const staticSpecifiers = [...code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']/g), ...code.matchAll(/(?:^|\n)\s*import\s+["']([^"']+)["']/g)].map((match) => match[1]!);
  const dynamicSpecifiers = [...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1]!);
  return { static: resolveAll(staticSpecifiers), dynamic: resolveAll(dynamicSpecifiers) };
}

/** Every file reached from `entry` by static imports: what loading it loads, before any import() runs. */
export function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...importsOf(file).static);
  }
  return seen;
}
