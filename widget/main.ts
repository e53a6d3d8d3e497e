/**
 * Entry of the embeddable widget bundle (`/widget.js`). The UI lands with the widget issue; for now
 * the bundle carries the message protocol so that the build, its size report and the server's
 * serving of it have something real to work on.
 */
import { PROTOCOL_VERSION, readCheckoutMessage } from "./protocol.ts";

export const version = "0.1.0";
export { PROTOCOL_VERSION, readCheckoutMessage };
