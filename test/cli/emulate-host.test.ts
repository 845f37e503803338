/**
 * emulate's --host: an address the emulator cannot listen on is said with the flag that chose it.
 * Not an address of this machine, a name that does not resolve, an empty --host: bad input, exit 2.
 * A port another server holds names --port; an empty credential flag is refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { once } from "node:events";
import { runCli } from "./run-cli.js";

test("emulate --host with an address this machine does not have (TEST-NET-1) names --host, exit 2", async () => {
  const result = await runCli(["emulate", "anthropic", "--host", "192.0.2.1"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^switchyard emulate: cannot listen on 192\.0\.2\.1:0: 192\.0\.2\.1 is not an address of this machine \(--host\)/);
  assert.match(result.stderr, /give 127\.0\.0\.1, ::1, or 0\.0\.0\.0/);
});

test("emulate --host with a name that does not resolve names --host", async () => {
  // .invalid never resolves (RFC 6761); a resolver that cannot answer at all is a failure (exit 1), still naming --host.
  const result = await runCli(["emulate", "bedrock", "--host", "no-such-host.invalid"]);
  assert.ok(result.code === 2 || (result.code === 1 && /EAI_AGAIN/.test(result.stderr)), `${result.code}: ${result.stderr}`);
  assert.match(result.stderr, /^switchyard emulate: cannot listen on "?no-such-host\.invalid"? \(--host\): /);
  if (result.code === 2) assert.match(result.stderr, /no such host \(the name does not resolve\)/);
});

test("emulate --host '' is bad input, not every interface", { timeout: 10_000 }, async () => {
  const result = await runCli(["emulate", "anthropic", "--host", ""]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--host is empty: give a value, or leave the flag out/);
});

test("emulate --port that another server holds names --port and the host, exit 2", async () => {
  const holder = createServer();
  holder.listen(0, "127.0.0.1");
  await once(holder, "listening");
  const address = holder.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  try {
    const result = await runCli(["emulate", "anthropic", "--port", String(port)]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use\nstop what listens there, or choose another port \\(--port N, or --port 0 for any free one\\)`));
  } finally {
    holder.close();
  }
});

test("emulate: an empty --key, --workspace or AWS credential flag is bad input, not an accepted empty credential", { timeout: 10_000 }, async () => {
  for (const argv of [["anthropic", "--key", ""], ["anthropic", "--key", "sk-a", "--key", " "], ["anthropic", "--workspace", ""], ["bedrock", "--access-key-id", ""], ["bedrock", "--session-token", ""]]) {
    const result = await runCli(["emulate", ...argv]);
    assert.equal(result.code, 2, argv.join(" "));
    assert.match(result.stderr, new RegExp(`^switchyard emulate: ${argv.at(-2)} is empty: give a value, or leave the flag out\\n`), argv.join(" "));
  }
});
