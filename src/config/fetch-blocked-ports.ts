/**
 * The ports fetch() refuses to connect to: the Fetch standard's "bad ports"
 * (https://fetch.spec.whatwg.org/#port-blocking), which undici (Node's fetch), browsers and so the
 * official Anthropic and OpenAI SDKs enforce before sending anything. A gateway may listen on one,
 * but those clients cannot reach it, and say only "Connection error." (fetch: "fetch failed", cause
 * "bad port"). A test keeps this list equal to the undici in use.
 */
export const FETCH_BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135,
  137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719,
  1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Why clients cannot use a gateway listening on `port`, or undefined. */
export function blockedPortProblem(port: number): string | undefined {
  if (!FETCH_BLOCKED_PORTS.has(port)) return undefined;
  return (
    `${port} is one of the ports fetch() refuses to connect to (the Fetch standard's "bad ports"): clients built on it, ` +
    'the official Anthropic and OpenAI SDKs among them, give up before sending anything and say only "Connection error." ' +
    '(fetch: "fetch failed", cause "bad port"); listen on another port, e.g. 8080'
  );
}
