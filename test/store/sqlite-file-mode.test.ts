/**
 * The SQLite file holds shoppers' member ids and the gateway's answers: createStore makes it
 * readable by the server's user only, whatever the umask, WAL and shared-memory files included.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createStore } from "../../server/store/index.ts";

const dir = mkdtempSync(join(tmpdir(), "octopus-mode-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;

describe.skipIf(process.platform === "win32")("the SQLite file's permissions", () => {
  it("creates the file 0600 in 0700 directories, even under a permissive umask", async () => {
    const previous = process.umask(0o002);
    try {
      const filename = join(dir, "data", "nested", "checkout.db");
      const store = createStore({ sqliteFile: filename });
      await store.migrate();
      await store.ping();
      expect(mode(join(dir, "data")).toString(8)).toBe("700");
      expect(mode(join(dir, "data", "nested")).toString(8)).toBe("700");
      expect(mode(filename).toString(8)).toBe("600");
      for (const companion of ["-wal", "-shm"]) {
        try {
          expect(mode(`${filename}${companion}`).toString(8), companion).toBe("600");
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        }
      }
      await store.close();
    } finally {
      process.umask(previous);
    }
  });
});
