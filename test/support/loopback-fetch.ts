/**
 * The fetch every sandbox in a test delivers notifications with: tests may send traffic only to
 * this machine, and a notify_url copied from the gateway's samples (https://example.com/notify)
 * must fail there rather than leave it.
 */
export const loopbackFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost" && url.hostname !== "[::1]") {
    return Promise.reject(new TypeError(`test fetch refuses ${url.origin}: tests talk to 127.0.0.1 only`));
  }
  return fetch(input, init);
};
