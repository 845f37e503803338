/**
 * How the Bedrock provider reads a stream the upstream ends with an error: an exception frame, or
 * an Anthropic `error` event inside a chunk. Before the first event it is a failed attempt (the
 * gateway can fail over); after it, the client gets one `event: error` and failure() names it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createBedrockProvider } from "../../src/providers/bedrock/index.js";
import { createAgent } from "../../src/providers/shared/http.js";
import { UpstreamError } from "../../src/providers/upstream-error.js";
import { messagesCall } from "../helpers/messages-call.js";
import { chunkFrame, exceptionFrame } from "../../src/emulators/bedrock/event-stream.js";

const MESSAGE_START = JSON.stringify({
  type: "message_start",
  message: { id: "msg_1", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [], stop_reason: null, usage: { input_tokens: 12, output_tokens: 1 } },
});
const OVERLOADED = JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded (chunk)" } });

/** Waits this many ms before the next frame (so that frames after it arrive in a read of their own). */
type Pause = number;
/** Leaves the body open after the frames: an upstream that hangs. */
const HANG = "hang";

/** A fake Bedrock Runtime answering every call with these frames (and pauses), then ending the body; `onClose` when a call's connection closes. */
async function withFakeBedrock(
  frames: (Uint8Array | Pause | typeof HANG)[],
  run: (provider: ReturnType<typeof createBedrockProvider>) => Promise<void>,
  status = 200,
  onClose: () => void = () => undefined,
): Promise<void> {
  const fake = createServer((request, response) => {
    response.on("close", onClose);
    request.resume();
    request.on("end", async () => {
      response.writeHead(status, { "content-type": "application/vnd.amazon.eventstream" });
      for (const frame of frames) {
        if (frame === HANG) return;
        if (typeof frame === "number") await new Promise((resolve) => setTimeout(resolve, frame));
        else response.write(frame);
      }
      response.end();
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  const agent = createAgent({ connectTimeoutMs: 1_000 });
  try {
    const port = (fake.address() as { port: number }).port;
    await run(
      createBedrockProvider({
        name: "fake-bedrock",
        config: { kind: "bedrock", region: "us-east-1", endpoint: `http://127.0.0.1:${port}`, credentials: { bearer_token_env: "FAKE_BEDROCK_KEY" }, api: "invoke" },
        env: { FAKE_BEDROCK_KEY: "key" },
        agent,
      }),
    );
  } finally {
    // A call the test left hanging (HANG) must not hold the cleanup up.
    fake.closeAllConnections();
    await agent.close();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  }
}

const call = () => messagesCall(true);

test("an Anthropic error event in the first chunk is a failed attempt, of its own kind", async () => {
  await withFakeBedrock([chunkFrame(OVERLOADED, "p")], async (provider) => {
    await assert.rejects(provider.messages(call()), (error: unknown) => error instanceof UpstreamError && error.kind === "overloaded" && /Overloaded \(chunk\)/.test(error.message));
  });
});

test("an error event of a type the gateway does not know is the upstream's failure, not the request's", async () => {
  const mystery = JSON.stringify({ type: "error", error: { type: "mystery_error", message: "Something new" } });
  await withFakeBedrock([chunkFrame(mystery, "p")], async (provider) => {
    await assert.rejects(provider.messages(call()), (error: unknown) => error instanceof UpstreamError && error.kind === "upstream_server" && error.details.upstreamType === "mystery_error");
  });
});

// The upstream then hangs: if the stream did not end at the error, this test would hang, so it has a limit.
test("the stream ends at the upstream's error: events it sends after it are not passed on", { timeout: 10_000 }, async () => {
  const delta = JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "late" } });
  // The later frames come in a read of their own, and the upstream then leaves the body open: the stream still ends.
  await withFakeBedrock([chunkFrame(MESSAGE_START, "p"), 30, chunkFrame(OVERLOADED, "p"), 30, chunkFrame(delta, "p"), chunkFrame(OVERLOADED, "p"), HANG], async (provider) => {
    const result = await provider.messages(call());
    assert.equal(result.kind, "stream");
    if (result.kind !== "stream") return;
    let text = result.first.toString("utf8");
    for await (const chunk of result.rest) text += chunk.toString("utf8");
    assert.deepEqual([...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]), ["message_start", "error"]);
    assert.doesNotMatch(text, /late/);
  });
});

test("an HTTP 400 whose body is a serviceUnavailableException frame is the upstream's outage (fail over), not the request's fault", async () => {
  const frame = exceptionFrame("serviceUnavailableException", { message: "Bedrock is unable to process your request." });
  await withFakeBedrock(
    [frame],
    async (provider) => {
      await assert.rejects(provider.messages(call()), (error: unknown) => {
        assert.ok(error instanceof UpstreamError);
        assert.equal(error.kind, "unavailable");
        assert.equal(error.details.status, 400);
        assert.match(error.message, /fake-bedrock: serviceUnavailableException: Bedrock is unable to process your request\./);
        return true;
      });
    },
    400,
  );
});

test("an error answer's frame is classed by its exception in either case; an undocumented one by the HTTP status", async () => {
  for (const [status, exceptionType, kind] of [
    // Statuses that disagree with the name: the name decides.
    [400, "serviceQuotaExceededException", "rate_limited"],
    [500, "accessDeniedException", "upstream_auth"],
    [400, "resourceNotFoundException", "not_found"],
    [429, "someNewException", "rate_limited"],
    [404, "someNewException", "not_found"],
    [500, "someNewException", "upstream_server"],
  ] as const) {
    await withFakeBedrock(
      [exceptionFrame(exceptionType, { message: "framed" })],
      async (provider) => {
        await assert.rejects(provider.messages(call()), (error: unknown) => error instanceof UpstreamError && error.kind === kind && error.details.status === status, `${status} ${exceptionType}`);
      },
      status,
    );
  }
});

for (const [name, breaking] of [
  ["an Anthropic error event in a chunk", chunkFrame(OVERLOADED, "p")],
  ["an exception frame", exceptionFrame("modelStreamErrorException", { message: "Overloaded (frame)", originalStatusCode: 529 })],
] as const) {
  test(`${name} after the first event: the client gets one event: error, last, and failure() names it; the end of the body adds nothing`, async () => {
    await withFakeBedrock([chunkFrame(MESSAGE_START, "p"), breaking], async (provider) => {
      const result = await provider.messages(call());
      assert.equal(result.kind, "stream");
      if (result.kind !== "stream") return;
      let text = result.first.toString("utf8");
      for await (const chunk of result.rest) text += chunk.toString("utf8");
      const events = [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
      assert.deepEqual(events, ["message_start", "error"]);
      assert.match(text, /Overloaded \((chunk|frame)\)/);
      const failure = result.failure();
      assert.ok(failure instanceof UpstreamError, "failure() names the error");
      // Both say the model is overloaded: the chunk's error type, the frame's originalStatusCode 529.
      assert.equal(failure.kind, "overloaded");
      assert.match(text, /"type":"overloaded_error"/, "the client is told so too");
      assert.match(failure.message, /^fake-bedrock: .*Overloaded \((chunk|frame)\)/);
      assert.equal(result.usage().usage.input, 12, "the input the upstream reported is kept");
    });
  });
}

/** A frame with one byte of its payload flipped: its message CRC no longer holds. */
function corrupted(frame: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(frame);
  const at = copy.length - 8;
  copy[at] = (copy[at] as number) ^ 0xff;
  return copy;
}

test("a corrupt frame ends the upstream request, before the first event or after it (it must not go on generating, paid for, behind a failed attempt)", async () => {
  for (const where of ["first", "later"] as const) {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((resolve) => (closed = resolve));
    const frames: (Uint8Array | Pause | typeof HANG)[] = where === "first" ? [corrupted(chunkFrame(MESSAGE_START, "p")), HANG] : [chunkFrame(MESSAGE_START, "p"), 30, corrupted(chunkFrame(MESSAGE_START, "p")), HANG];
    await withFakeBedrock(
      frames,
      async (provider) => {
        const failed = (error: unknown) => error instanceof UpstreamError && error.kind === "upstream_server" && /corrupt event-stream frame/.test(error.message);
        if (where === "first") {
          await assert.rejects(provider.messages(call()), failed);
        } else {
          const result = await provider.messages(call());
          assert.equal(result.kind, "stream");
          if (result.kind !== "stream") return;
          await assert.rejects(async () => {
            for await (const _chunk of result.rest);
          }, failed);
        }
        const timeout = new Promise<string>((resolve) => setTimeout(() => resolve("still open"), 1_000).unref());
        assert.equal(await Promise.race([upstreamClosed.then(() => "closed"), timeout]), "closed", `${where}: the upstream request is closed`);
      },
      200,
      () => closed(),
    );
  }
});

test("the model's own status in a ModelErrorException or modelStreamErrorException decides: 429 and 529 are throttles, anything else Bedrock's failure", async () => {
  const { bedrockError, bedrockStreamException } = await import("../../src/providers/bedrock/errors.js");
  const frame = (originalStatusCode: number | undefined) => bedrockStreamException("modelStreamErrorException", JSON.stringify({ message: "m", originalStatusCode }), "b").kind;
  assert.deepEqual([frame(529), frame(429), frame(503), frame(500), frame(undefined)], ["overloaded", "rate_limited", "unavailable", "upstream_server", "upstream_server"]);
  const answer = (originalStatusCode: number) => bedrockError(424, { "x-amzn-errortype": "ModelErrorException" }, JSON.stringify({ message: "m", originalStatusCode }), undefined, "b").kind;
  assert.deepEqual([answer(529), answer(400)], ["overloaded", "upstream_server"]);
  // Another exception's field of that name is not the model's status.
  assert.equal(bedrockStreamException("internalServerException", JSON.stringify({ message: "m", originalStatusCode: 429 }), "b").kind, "upstream_server");
});
