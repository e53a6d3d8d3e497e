#!/usr/bin/env node
// The operator CLI (`npx octopus-checkout …`). The project runs its TypeScript through tsx (a runtime
// dependency), so this file only teaches Node to load .ts and hands over to server/cli/main.ts.
import { register } from "tsx/esm/api";

register();
const { run } = await import("../server/cli/main.ts");
process.exitCode = await run(process.argv);
