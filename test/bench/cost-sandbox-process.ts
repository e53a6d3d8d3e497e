/**
 * The sandbox gateway on its own, as `npm run sandbox` runs it (its own process, on loopback), at
 * 0 ms latency: the one gateway both the minimal app and our server call in the cost bench, so that
 * neither pays for it in its own CPU. "reset" forgets every order between runs.
 */
import { createSandboxGateway } from "../../demo/sandbox/gateway.ts";
import { serve } from "../support/serve.ts";
import { cpuNow, type ChildMessage } from "./child.ts";

const send = (message: ChildMessage) => process.send!(message);

const sandbox = createSandboxGateway({});
sandbox.controls.setLatency(0);
const served = await serve(sandbox.app);

process.on("message", (message: { cmd: string }) => {
  if (message.cmd === "reset") {
    sandbox.controls.reset();
    sandbox.controls.setLatency(0);
    send({ type: "ok" });
  } else if (message.cmd === "stats") send({ type: "stats", ...cpuNow() });
  else {
    sandbox.close();
    void served.close().then(() => {
      send({ type: "ok" });
      process.disconnect();
    });
  }
});
send({ type: "ready", url: served.url });
