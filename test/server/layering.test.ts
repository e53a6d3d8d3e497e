/**
 * The server does not depend on the demo: a live deployment never loads demo code (the sandbox's
 * unauthenticated controls, the demo shop), and server/ and demo/ form no import cycle. Only
 * server/main.ts may load demo/, and only with a dynamic import() in its sandbox branch.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importsOf, repoPath, ROOT, sourcesUnder, staticClosure } from "../support/import-graph.ts";

const MAIN = join(ROOT, "server/main.ts");

const inDemo = (file: string) => repoPath(file).startsWith("demo/");

describe("server/ and demo/", () => {
  it("finds the imports it checks (the check itself works)", () => {
    // demo/ does import the server's gateway schemas: if the parser missed that, every other test here would pass for nothing.
    const demoImports = sourcesUnder("demo").flatMap((file) => importsOf(file).static);
    expect(demoImports.some((file) => repoPath(file) === "server/gateway/schemas.ts")).toBe(true);
    expect(importsOf(MAIN).dynamic.map((file) => repoPath(file)).sort()).toEqual(["demo/sandbox/gateway.ts", "demo/shop/routes.ts"]);
  });

  it("no server module imports demo/, except server/main.ts's import() of it", () => {
    const offending = sourcesUnder("server").flatMap((file) => {
      const { static: loaded, dynamic } = importsOf(file);
      const allowed = file === MAIN ? [] : dynamic;
      return [...loaded, ...allowed].filter(inDemo).map((target) => `${repoPath(file)} → ${repoPath(target)}`);
    });
    expect(offending).toEqual([]);
  });

  it("starting the server loads no demo code until sandbox mode asks for it", () => {
    const loaded = [...staticClosure(MAIN)].filter(inDemo).map((file) => repoPath(file));
    expect(loaded).toEqual([]);
  });

  it("what the demo loads of the server never leads back into demo/ (no cycle)", () => {
    const fromDemo = sourcesUnder("demo").flatMap((file) => [...staticClosure(file)]);
    const serverFiles = [...new Set(fromDemo.filter((file) => !inDemo(file)))];
    const back = serverFiles.filter((file) => [...importsOf(file).static, ...importsOf(file).dynamic].some(inDemo)).map((file) => repoPath(file));
    expect(serverFiles.length).toBeGreaterThan(0);
    expect(back).toEqual([]);
  });
});
