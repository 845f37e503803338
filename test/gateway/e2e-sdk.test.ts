/**
 * End to end: the official @anthropic-ai/sdk -> the gateway -> the Anthropic and Bedrock
 * emulators. Each ledger row is checked field by field against the engine.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { Decimal } from "../../src/pricing/decimal.js";
import { formatUsd, parseUsd } from "../../src/pricing/money.js";
import { fromAnthropicUsage } from "../../src/pricing/normalize-usage.js";
import { quote } from "../../src/pricing/quote.js";
import { eventually } from "../helpers/eventually.js";
import { catalog, startHarness, upstreamRequests, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let client: Anthropic;

before(async () => {
  harness = await startHarness();
  client = harness.client();
});
after(async () => harness.close());

const today = () => new Date().toISOString().slice(0, 10);

/** The SDK attaches the response's request-id header to the returned message (not in its public type). */
function requestIdOf(message: object): string | undefined {
  return (message as { _request_id?: string })._request_id;
}

async function ledgerRow(requestId: string | null | undefined) {
  assert.ok(requestId, "the response carries a request id");
  await harness.ledger.writer.flush();
  const row = await harness.ledger.store.get(requestId);
  assert.ok(row, `ledger has ${requestId}`);
  return row;
}

/** The engine's price of a usage object on a catalog model/provider/route. */
function enginePrice(usage: unknown, model: string, provider: "anthropic" | "bedrock", route: string): string {
  const priced = quote(catalog(), { model, provider, route, at: today(), usage: fromAnthropicUsage(usage).usage });
  return formatUsd(priced.result.total);
}

describe("non-streaming through the Anthropic API deployment", () => {
  test("the SDK gets the message; headers name the deployment and the exact cost; the ledger row matches the engine", async () => {
    const { data: message, response } = await client.messages
      .create({ model: "claude-sonnet-4-6", max_tokens: 50, messages: [{ role: "user", content: "Name three rivers." }] })
      .withResponse();
    assert.equal(message.type, "message");
    assert.equal(message.role, "assistant");
    assert.ok(message.content[0]?.type === "text" && message.content[0].text.length > 0);
    assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-sonnet");
    // Sonnet 4.6 on the Anthropic API: $3 input, $15 output per million tokens
    const expected = Decimal.fromInteger(message.usage.input_tokens)
      .mul(Decimal.parse("3"))
      .add(Decimal.fromInteger(message.usage.output_tokens).mul(Decimal.parse("15")))
      .div(Decimal.fromInteger(1_000_000), 18)
      .toString();
    assert.equal(response.headers.get("x-switchyard-cost-usd"), expected);

    const row = await ledgerRow(requestIdOf(message));
    assert.equal(row.requested_model, "claude-sonnet-4-6");
    assert.equal(row.deployment, "anthropic-sonnet");
    assert.equal(row.provider, "anthropic");
    assert.equal(row.route, "global");
    assert.equal(row.model, "claude-sonnet-4-6");
    assert.equal(row.status, 200);
    assert.equal(row.stream, false);
    assert.equal(row.input_tokens, message.usage.input_tokens);
    assert.equal(row.output_tokens, message.usage.output_tokens);
    assert.equal(row.cache_read_tokens, 0);
    assert.equal(row.cost_usd, expected);
    assert.equal(row.cost_usd, enginePrice(message.usage, "claude-sonnet-4-6", "anthropic", "global"));
    assert.equal(row.cost_exact, true);
    assert.equal(row.attempts.length, 1);
    assert.ok(row.latency_ms >= 0 && row.overhead_ms >= 0 && row.overhead_ms <= row.latency_ms);
    // the same usage on the other Sonnet deployment (Bedrock us, 1.1x) is the shadow cost
    assert.equal(row.shadow_costs["bedrock-sonnet-us"], enginePrice(message.usage, "claude-sonnet-4-6", "bedrock", "us"));
  });
});

describe("through Bedrock (InvokeModel, SigV4, event stream)", () => {
  test("non-streaming: Bedrock's answer reaches the SDK and is priced at the regional rate", async () => {
    const { data: message, response } = await client.messages
      .create({ model: "sonnet-via-bedrock", max_tokens: 40, messages: [{ role: "user", content: "Hello from Bedrock" }] })
      .withResponse();
    assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet-us");
    assert.equal(response.headers.get("x-switchyard-provider"), "bedrock");
    const row = await ledgerRow(requestIdOf(message));
    assert.equal(row.provider, "bedrock");
    assert.equal(row.route, "us");
    assert.equal(row.upstream_model_id, "us.anthropic.claude-sonnet-4-6");
    // us. profile of a 4.6 model: $3.30 / $16.50
    const expected = Decimal.fromInteger(message.usage.input_tokens)
      .mul(Decimal.parse("3.3"))
      .add(Decimal.fromInteger(message.usage.output_tokens).mul(Decimal.parse("16.5")))
      .div(Decimal.fromInteger(1_000_000), 18)
      .toString();
    assert.equal(row.cost_usd, expected);
    assert.equal(response.headers.get("x-switchyard-cost-usd"), expected);
  });

  test("streaming: the event stream is decoded back to SSE the SDK's accumulator accepts", async () => {
    const stream = client.messages.stream({ model: "haiku-via-bedrock", max_tokens: 60, messages: [{ role: "user", content: "Stream please" }] });
    const message = await stream.finalMessage();
    assert.ok(message.content.length > 0);
    assert.ok(message.usage.output_tokens > 0);
    const row = await ledgerRow(stream.request_id);
    assert.equal(row.stream, true);
    assert.equal(row.deployment, "bedrock-haiku-global");
    assert.equal(row.output_tokens, message.usage.output_tokens);
    assert.equal(row.input_tokens, message.usage.input_tokens);
    assert.ok(row.ttft_ms !== null && row.ttft_ms >= 0);
    assert.equal(row.cost_usd, enginePrice(message.usage, "claude-haiku-4-5", "bedrock", "global"));
  });
});

describe("streaming through the Anthropic API deployment", () => {
  test("events arrive in order; the ledger has message_start input and the final cumulative output", async () => {
    const events: string[] = [];
    const stream = client.messages.stream({ model: "haiku-via-anthropic", max_tokens: 80, messages: [{ role: "user", content: "Count to ten" }] });
    stream.on("streamEvent", (event) => events.push(event.type));
    const message = await stream.finalMessage();
    assert.equal(events[0], "message_start");
    assert.equal(events.at(-1), "message_stop");
    assert.ok(events.includes("content_block_delta"));
    const row = await ledgerRow(stream.request_id);
    assert.equal(row.output_tokens, message.usage.output_tokens);
    assert.equal(row.cost_usd, enginePrice(message.usage, "claude-haiku-4-5", "anthropic", "global"));
  });
});

describe("a stream the upstream breaks after it started", () => {
  // Bedrock wraps the model's overload in a modelStreamErrorException frame, with the model's 529 as its originalStatusCode.
  for (const [model, emulator, kind] of [
    ["haiku-via-anthropic", "anthropic", "overloaded"],
    ["haiku-via-bedrock", "bedrock", "overloaded"],
  ] as const) {
    test(`${emulator}: the SDK raises the error event, and the ledger row records the failure and what was used`, async () => {
      const upstream = emulator === "anthropic" ? harness.anthropic : harness.bedrock;
      upstream.setProfile({ rules: [{ fault: { kind: "stream_error", type: "overloaded_error", message: "Overloaded (injected)" }, streaming: true, count: 1 }] });
      const deployment = emulator === "anthropic" ? "anthropic-haiku" : "bedrock-haiku-global";
      const failuresOf = () => harness.gateway.state.health.snapshot().get(deployment)?.failures ?? 0;
      const failuresBefore = failuresOf();
      // Output the upstream reported before the break counts against the key's token limit.
      const limiter = harness.gateway.state.limiter;
      const debitTokens = limiter.debitTokens.bind(limiter);
      const debited: number[] = [];
      limiter.debitTokens = (keyId, limits, tokens) => {
        debited.push(tokens);
        debitTokens(keyId, limits, tokens);
      };
      try {
        const stream = client.messages.stream({ model, max_tokens: 200, messages: [{ role: "user", content: "A long answer, please." }] });
        let firstEvent = false;
        stream.on("streamEvent", () => (firstEvent = true));
        await assert.rejects(stream.finalMessage(), (error: unknown) => error instanceof Anthropic.APIError && /Overloaded \(injected\)/.test(error.message));
        assert.ok(firstEvent, "the stream had started");
        const row = await ledgerRow(stream.request_id);
        assert.equal(row.status, 200);
        assert.equal(row.error_type, "overloaded_error", "what ended the stream");
        assert.ok(row.warnings.includes(`stream ended early: ${kind}`), `warnings: ${row.warnings.join("; ")}`);
        assert.ok(row.input_tokens !== null && row.input_tokens > 0, "the input the upstream reported is kept");
        // No message_delta came: message_start's output count is a placeholder, so the output is
        // unknown (null, not 1), and the cost is a lower bound.
        assert.equal(row.output_tokens, null, "the output is unknown");
        assert.equal(row.cost_exact, false);
        assert.ok(row.warnings.some((warning) => /no message_delta reported the output/.test(warning)), row.warnings.join("; "));
        assert.deepEqual(debited, [], "nothing known to debit from the key's token limit");
        // The snapshot is cached for a moment; the count itself is exact.
        await eventually(() => (failuresOf() === failuresBefore + 1 ? true : undefined), "the deployment's health to count one failure");
      } finally {
        limiter.debitTokens = debitTokens;
        upstream.setProfile("instant");
      }
    });
  }
});

test("a stream the upstream ends with the request's own fault (an invalid_request_error event) leaves the deployment healthy", async () => {
  harness.anthropic.setProfile({ rules: [{ fault: { kind: "stream_error", type: "invalid_request_error", message: "Bad request (injected)" }, streaming: true, count: 1 }] });
  const health = () => harness.gateway.state.health.snapshot().get("anthropic-haiku");
  const before = health();
  try {
    const stream = client.messages.stream({ model: "haiku-via-anthropic", max_tokens: 200, messages: [{ role: "user", content: "A long answer, please." }] });
    await assert.rejects(stream.finalMessage(), (error: unknown) => error instanceof Anthropic.APIError && /Bad request \(injected\)/.test(error.message));
    // One snapshot holds both counts: the request is counted, and not as a failure.
    const after = await eventually(() => {
      const now = health();
      return now && now.requests === (before?.requests ?? 0) + 1 ? now : undefined;
    }, "the deployment's health to count the request");
    assert.equal(after.failures, before?.failures ?? 0);
    assert.equal(after.throttles, before?.throttles ?? 0);
  } finally {
    harness.anthropic.setProfile("instant");
  }
});

describe("features pass through", () => {
  test("tools: a forced tool call comes back as a tool_use block from both providers", async () => {
    const tools = [{ name: "get_weather", description: "Weather for a city", input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] } }];
    for (const model of ["haiku-via-anthropic", "haiku-via-bedrock"]) {
      const message = await client.messages.create({
        model,
        max_tokens: 100,
        tools,
        tool_choice: { type: "tool", name: "get_weather" },
        messages: [{ role: "user", content: "Weather in Paris?" }],
      });
      const block = message.content.find((candidate) => candidate.type === "tool_use");
      assert.ok(block && block.type === "tool_use", `${model} returns tool_use`);
      assert.equal(block.name, "get_weather");
      assert.equal(message.stop_reason, "tool_use");
    }
  });

  test("images: a base64 image is accepted and counted", async () => {
    const pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    const withImage = await client.messages.create({
      model: "haiku-via-anthropic",
      max_tokens: 20,
      messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: pixel } }, { type: "text", text: "What is this?" }] }],
    });
    const textOnly = await client.messages.create({ model: "haiku-via-anthropic", max_tokens: 20, messages: [{ role: "user", content: "What is this?" }] });
    assert.ok(withImage.usage.input_tokens > textOnly.usage.input_tokens);
  });

  test("prompt caching: a repeated cached prefix is read from cache and billed at the read rate", async () => {
    const system = [{ type: "text" as const, text: "You are a meticulous assistant. ".repeat(2000), cache_control: { type: "ephemeral" as const } }];
    const first = await client.messages.create({ model: "haiku-via-anthropic", max_tokens: 20, system, messages: [{ role: "user", content: "First" }] });
    const second = await client.messages.create({ model: "haiku-via-anthropic", max_tokens: 20, system, messages: [{ role: "user", content: "Second" }] });
    assert.ok((first.usage.cache_creation_input_tokens ?? 0) > 0, "first request writes the cache");
    assert.ok((second.usage.cache_read_input_tokens ?? 0) > 0, "second request reads it");
    const row = await ledgerRow(requestIdOf(second));
    assert.equal(row.cache_read_tokens, second.usage.cache_read_input_tokens);
    assert.equal(row.cost_usd, enginePrice(second.usage, "claude-haiku-4-5", "anthropic", "global"));
  });

  test("count_tokens answers like the Anthropic API", async () => {
    const counted = await client.messages.countTokens({ model: "claude-sonnet-4-6", messages: [{ role: "user", content: "How many tokens is this?" }] });
    assert.ok(counted.input_tokens > 0);
  });

  test("count_tokens on a Bedrock deployment (CountTokens on the foundation model) counts what Anthropic counts", async () => {
    const prompt = { system: "Answer briefly.", messages: [{ role: "user" as const, content: "Count the tokens of this, through Bedrock." }] };
    const viaBedrock = await client.messages.countTokens({ model: "haiku-via-bedrock", ...prompt }).withResponse();
    assert.equal(viaBedrock.response.headers.get("x-switchyard-deployment"), "bedrock-haiku-global");
    const viaAnthropic = await client.messages.countTokens({ model: "haiku-via-anthropic", ...prompt }).withResponse();
    assert.equal(viaAnthropic.response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
    assert.equal(viaBedrock.data.input_tokens, viaAnthropic.data.input_tokens);
  });

  test("GET /v1/models lists what the gateway answers to", async () => {
    const page = await client.models.list();
    const ids = page.data.map((model) => model.id);
    assert.ok(ids.includes("sonnet-via-bedrock"));
    assert.ok(ids.includes("claude-sonnet-4-6"));
  });

  test("GET /v1/models pages as the Anthropic API does, newest first; retrieve takes any name messages takes; a key sees its own models", async () => {
    // The whole list, as an OpenAI client (no anthropic-version) gets it.
    const whole = (await (await fetch(`${harness.gateway.url}/v1/models`, { headers: { "x-api-key": harness.key } })).json()) as { data: { id: string; created: number }[]; has_more: boolean };
    assert.equal(whole.has_more, false);
    assert.ok(whole.data.length > 2);
    const created = whole.data.map((model) => model.created);
    assert.deepEqual(created, [...created].sort((a, b) => b - a), "newest first");
    // Two at a time through the SDK's own paging (after_id = the last page's last_id).
    const first = await client.models.list({ limit: 2 });
    assert.equal(first.data.length, 2);
    assert.equal(first.has_more, true);
    const paged: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) paged.push(model.id);
    assert.deepEqual(paged, whole.data.map((model) => model.id));
    await assert.rejects(client.models.list({ limit: 0 }), (error: unknown) => error instanceof Anthropic.BadRequestError && /limit/.test(error.message));
    // Only digits are a count: what Number() would also read ("2.0", " 2", "0x10", "1e1") is not.
    for (const limit of ["2.0", "%202", "0x10", "1e1", "1001", "2&limit=3"]) {
      const answer = await fetch(`${harness.gateway.url}/v1/models?limit=${limit}`, { headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01" } });
      assert.equal(answer.status, 400, limit);
      assert.match(((await answer.json()) as { error: { message: string } }).error.message, /^limit: a whole number from 1 to 1000$/, limit);
    }
    // A dated id works for messages, so it is retrievable too, with a request id.
    const { data: dated, response } = await client.models.retrieve("claude-haiku-4-5-20251001").withResponse();
    assert.equal(dated.id, "claude-haiku-4-5-20251001");
    assert.match(dated.display_name, /Haiku 4\.5/);
    assert.match(response.headers.get("request-id") ?? "", /^req_sy_/);
    await assert.rejects(client.models.retrieve("claude-nonexistent"), (error: unknown) => error instanceof Anthropic.NotFoundError);
    // A key limited to some models lists only those.
    const { secret } = await harness.createKey({ name: "models-limited", models: ["haiku-via-anthropic"] });
    const limited = harness.client(secret);
    assert.deepEqual((await limited.models.list()).data.map((model) => model.id), ["haiku-via-anthropic"]);
    await assert.rejects(limited.models.retrieve("claude-sonnet-4-6"), (error: unknown) => error instanceof Anthropic.PermissionDeniedError);
    // One that may see none gets an empty list, also as an OpenAI client (no anthropic-version).
    const none = await harness.createKey({ name: "models-none", models: ["not-configured"] });
    const empty = await fetch(`${harness.gateway.url}/v1/models`, { headers: { authorization: `Bearer ${none.secret}` } });
    assert.equal(empty.status, 200);
    assert.deepEqual(((await empty.json()) as { data: unknown[] }).data, []);
  });
});

describe("errors in the Anthropic shape", () => {
  test("an unknown model is a 404 not_found_error", async () => {
    await assert.rejects(client.messages.create({ model: "claude-nonexistent", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.NotFoundError);
      assert.equal(error.type, "not_found_error");
      return true;
    });
  });

  test("a model name no store could hold (a NUL, a lone surrogate, 10,000 characters) is recorded in a form it can", async () => {
    for (const [model, recorded] of [
      ["claude\u0000nul", "claude\uFFFDnul"],
      ["claude\uD800half", "claude\uFFFDhalf"],
      ["m".repeat(10_000), `${"m".repeat(255)}…`],
    ]) {
      const requestId = await client.messages.create({ model: model as string, max_tokens: 5, messages: [{ role: "user", content: "hi" }] }).then(
        () => assert.fail("an unknown model"),
        (error: unknown) => {
          assert.ok(error instanceof Anthropic.NotFoundError);
          return error.requestID;
        },
      );
      assert.equal((await ledgerRow(requestId)).requested_model, recorded);
    }
  });

  test("a bad key is a 401; a missing field is a 400 naming it", async () => {
    const stranger = harness.client("sk-sy-wrong");
    await assert.rejects(stranger.messages.create({ model: "claude-sonnet-4-6", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }), Anthropic.AuthenticationError);
    const response = await fetch(`${harness.gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": harness.key, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-sonnet-4-6", messages: [] }),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, "error");
    assert.equal(body.error.type, "invalid_request_error");
    assert.match(body.error.message, /max_tokens/);
    // The refused request's row keeps the model it asked for.
    assert.equal((await ledgerRow(response.headers.get("request-id") as string)).requested_model, "claude-sonnet-4-6");
  });

  test("an upstream's own 400 comes back as a 400 from each provider (not failed over), naming the deployment that answered and its request id", async () => {
    for (const [model, deployment, provider, idPattern] of [
      ["haiku-via-anthropic", "anthropic-haiku", "anthropic", /^req_/],
      ["haiku-via-bedrock", "bedrock-haiku-global", "bedrock", /^[0-9a-f-]{36}$/],
    ] as const) {
      // roles must alternate starting with user: both emulators refuse an assistant-first conversation
      const error = await client.messages.create({ model, max_tokens: 5, messages: [{ role: "assistant", content: "I speak first" }] }).then(
        () => assert.fail(`${model}: answered`),
        (thrown: unknown) => thrown,
      );
      assert.ok(error instanceof Anthropic.BadRequestError && error.type === "invalid_request_error", `${model}: ${String(error)}`);
      assert.equal(error.headers.get("x-switchyard-deployment"), deployment);
      assert.equal(error.headers.get("x-switchyard-provider"), provider);
      assert.match(error.headers.get("x-switchyard-upstream-request-id") ?? "", idPattern, model);
      assert.notEqual(error.headers.get("x-switchyard-upstream-request-id"), error.headers.get("request-id"), "the upstream's id, not the gateway's");
    }
    // The gateway's own refusal names no deployment: none answered.
    const refused = await client.messages.create({ model: "no-such-model", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }).catch((thrown: unknown) => thrown);
    assert.ok(refused instanceof Anthropic.NotFoundError);
    assert.equal(refused.headers.get("x-switchyard-deployment"), null);
  });

  test("a prompt over the model's context window is a 400 saying \"prompt is too long\" from each provider, Bedrock's own words included", async () => {
    // Claude Code compacts its conversation on those words; Bedrock says "Input is too long for requested model."
    const long = "lorem ipsum dolor sit amet ".repeat(60_000);
    for (const model of ["haiku-via-anthropic", "haiku-via-bedrock"]) {
      await assert.rejects(
        client.messages.create({ model, max_tokens: 5, messages: [{ role: "user", content: long }] }),
        (error: unknown) => error instanceof Anthropic.BadRequestError && error.type === "invalid_request_error" && /prompt is too long/.test(error.message),
        model,
      );
    }
  });

  test("an upstream's error keeps its details and x-should-retry: the SDK raises the error class its error_code names, and retries only if told", async () => {
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 400, message: "tools: tool names must be unique", errorCode: "tool_name_conflict", shouldRetry: false }, count: 1 }] });
    try {
      const response = await fetch(`${harness.gateway.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": harness.key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
        body: JSON.stringify({ model: "haiku-via-anthropic", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
      });
      assert.equal(response.status, 400);
      assert.equal(response.headers.get("x-should-retry"), "false");
      const body = (await response.json()) as { error: { type: string; details?: { error_code?: string } } };
      assert.deepEqual(body.error.details, { error_code: "tool_name_conflict" });
    } finally {
      harness.anthropic.setProfile("instant");
    }
    // The SDK's own reading of it.
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 400, message: "image too large", errorCode: "image_dimensions_too_large" }, count: 1 }] });
    try {
      await assert.rejects(client.messages.create({ model: "haiku-via-anthropic", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }), (error: unknown) => {
        assert.ok(error instanceof Anthropic.BadRequestError);
        assert.equal(error.constructor.name, "ImageDimensionsTooLargeError");
        return true;
      });
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });

  test("an upstream account at its spend limit (even as a 400) hands the model to its next deployment", async () => {
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 400, type: "invalid_request_error", message: "You have reached your specified API usage limits. You will regain access on 2026-12-01 at 00:00 UTC." }, count: 1 }] });
    try {
      const { data: message, response } = await client.messages.create({ model: "sonnet-anthropic-first", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }).withResponse();
      assert.equal(message.type, "message");
      assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet-us");
      const row = await ledgerRow(response.headers.get("request-id") as string);
      assert.deepEqual(row.attempts.map((attempt) => [attempt.deployment, attempt.status, attempt.error]), [["anthropic-sonnet", 400, "upstream_auth"], ["bedrock-sonnet-us", 200, null]]);
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });

  test("a revoked key stops working at the next refresh, and is told it was revoked (and when)", async () => {
    const { secret, id } = await harness.createKey({ name: "short-lived" });
    const shortLived = harness.client(secret);
    await shortLived.messages.create({ model: "claude-haiku-4-5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
    const revokedAt = Date.now();
    assert.equal(await harness.ledger.keys.revoke(id, revokedAt), true);
    await harness.gateway.state.keys.refresh(true);
    await assert.rejects(
      shortLived.messages.create({ model: "claude-haiku-4-5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
      (error: unknown) =>
        error instanceof Anthropic.AuthenticationError &&
        (error.error as { error?: { message?: string } }).error?.message === `invalid API key (sent as Authorization: Bearer): key "short-lived" was revoked at ${new Date(revokedAt).toISOString()}`,
    );
    const stranger = harness.client("sk-sy-00000000000000000000000000000000");
    await assert.rejects(stranger.messages.create({ model: "claude-haiku-4-5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }), /not a current Switchyard virtual key/);
  });

  test("a key over its monthly budget gets a 429 naming the budget, before any upstream call", async () => {
    const { secret, id } = await harness.createKey({ name: "tight-budget", budget: "0.0000001" });
    const tight = harness.client(secret, 2);
    await tight.messages.create({ model: "claude-haiku-4-5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
    const servedBefore = upstreamRequests(harness.anthropic);
    await assert.rejects(tight.messages.create({ model: "claude-haiku-4-5", max_tokens: 5, messages: [{ role: "user", content: "again" }] }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.RateLimitError);
      assert.match(error.message, /tight-budget.*monthly budget.*resets/);
      assert.equal(error.headers.get("x-should-retry"), "false");
      assert.equal(error.headers.get("x-switchyard-error"), "budget_exceeded", "the gateway's own refusal, told apart from an upstream's 429");
      return true;
    });
    assert.equal(upstreamRequests(harness.anthropic), servedBefore, "no upstream call was made (and the SDK did not retry)");
    // Whatever it asks for: a model no deployment serves is a 429 too, not a 404 (the budget is checked first).
    await assert.rejects(tight.messages.create({ model: "claude-no-such-model", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }), Anthropic.RateLimitError);
    await harness.ledger.writer.flush();
    const refused = (await harness.ledger.store.recent(5, { key_id: id })).find((row) => row.status === 429);
    assert.ok(refused);
    assert.equal(refused.cost_usd, "0");
    assert.equal(refused.attempts.length, 0);
  });

  test("the upstream's rate-limit headers reach the client renamed as the upstream's; anthropic-ratelimit-* are the gateway's own", async () => {
    const { response } = await client.messages.create({ model: "haiku-via-anthropic", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }).withResponse();
    assert.equal(response.headers.get("x-switchyard-provider"), "anthropic");
    assert.match(response.headers.get("x-switchyard-upstream-ratelimit-input-tokens-limit") ?? "", /^\d+$/);
    // This harness's key has no limits: no anthropic-ratelimit-* at all, rather than the account's.
    const named = [...response.headers.keys()].filter((name) => name.startsWith("anthropic-ratelimit-"));
    assert.deepEqual(named, []);
  });

  test("GET /v1/switchyard/budget answers a key by id or name with its budget and spend; an unknown key is a 404", async () => {
    const { secret, id } = await harness.createKey({ name: "budget-report", budget: "5" });
    const budget = async (key: string) => {
      const answer = await fetch(`${harness.gateway.url}/v1/switchyard/budget?key=${encodeURIComponent(key)}`, { headers: { "x-api-key": harness.adminKey } });
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    };
    // Unused here yet: the ledger's figure.
    const before = await budget("budget-report");
    assert.equal(before.status, 200);
    assert.deepEqual({ ...before.body, resets_at: undefined }, { key: id, name: "budget-report", monthly_budget_usd: "5", month_spend_usd: "0", counted_by: "ledger", resets_at: undefined });
    assert.match(String(before.body.resets_at), /^\d{4}-\d{2}-01T00:00:00\.000Z$/);
    const spender = harness.client(secret);
    const { response } = await spender.messages.create({ model: "claude-haiku-4-5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }).withResponse();
    const cost = response.headers.get("x-switchyard-cost-usd");
    const after = await budget(id);
    assert.equal(after.body.counted_by, "gateway");
    assert.equal(after.body.month_spend_usd, cost, "the spend is exactly the request's cost");
    const unknown = await budget("no-such-key");
    assert.equal(unknown.status, 404);
    assert.match(JSON.stringify(unknown.body), /no active key has the id or name \\"no-such-key\\"/);
  });

  test("a client gone before the upstream answered still charges its key: the upstream may have billed what it processed, so unknown usage is not zero", async () => {
    /** What this gateway has charged a key this month, once it has charged anything (within 5 s). */
    const chargedTo = async (keyId: string): Promise<string> => {
      const spend = async () => {
        const answer = await fetch(`${harness.gateway.url}/v1/switchyard/budget?key=${keyId}`, { headers: { "x-api-key": harness.adminKey } });
        return String(((await answer.json()) as Record<string, unknown>).month_spend_usd);
      };
      const deadline = Date.now() + 5_000;
      let spent = await spend();
      while (spent === "0" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        spent = await spend();
      }
      return spent;
    };
    const { secret, id } = await harness.createKey({ name: "gone-budget", budget: "5" });
    const impatient = new Anthropic({ apiKey: secret, baseURL: harness.gateway.url, maxRetries: 0, timeout: 300 });
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "stall", phase: "before_headers", ms: 1500 }, count: 1 }] });
    try {
      await assert.rejects(impatient.messages.create({ model: "haiku-via-anthropic", max_tokens: 200, messages: [{ role: "user", content: "hi" }] }), Anthropic.APIConnectionTimeoutError);
      // A JSON answer may have been written in full before the cut: the hold, its 200 output tokens
      // and the input's estimate (a few dozen tokens).
      const charged = await chargedTo(id);
      const maxOutput = parseUsd(enginePrice({ output_tokens: 200 }, "claude-haiku-4-5", "anthropic", "global"));
      assert.ok(parseUsd(charged) > maxOutput && parseUsd(charged) < maxOutput + maxOutput / 10n, `charged ${charged}`);
      await harness.ledger.writer.flush();
      const [row] = await harness.ledger.store.recent(1, { key_id: id });
      assert.deepEqual([row?.status, row?.cost_usd, row?.cost_exact], [499, "0", false], "the row states only what it knows");
      assert.ok(row?.warnings.some((warning) => warning.startsWith(`usage not reported by anthropic-haiku: its budget hold, the most it could cost, $${charged}`)), row?.warnings.join("; "));

      // A stream reports its input first: cut before that, only the input's most is charged, not max_tokens of output.
      const streamed = await harness.createKey({ name: "gone-stream-budget", budget: "5" });
      const streamer = new Anthropic({ apiKey: streamed.secret, baseURL: harness.gateway.url, maxRetries: 0, timeout: 300 });
      harness.anthropic.setProfile({ rules: [{ fault: { kind: "stall", phase: "before_headers", ms: 1500 }, count: 1 }] });
      await assert.rejects(streamer.messages.create({ model: "haiku-via-anthropic", max_tokens: 200, stream: true, messages: [{ role: "user", content: "hi" }] }), Anthropic.APIConnectionTimeoutError);
      // The body's ~120 bytes at ~4 a token: a small part of what max_tokens of output may cost.
      const inputOnly = await chargedTo(streamed.id);
      assert.ok(parseUsd(inputOnly) > 0n && parseUsd(inputOnly) < maxOutput / 10n, `charged ${inputOnly}`);
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });

  test("a burst cannot spend past the budget: requests in flight hold what they may cost, so only the first of eight concurrent ones is served", async () => {
    // haiku-4-5 at $5 per million output tokens: 200 max_tokens may cost $0.001, twice the budget.
    const { secret, id } = await harness.createKey({ name: "burst-budget", budget: "0.0005" });
    const burst = harness.client(secret);
    // The first request admitted is held upstream while the others arrive.
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "stall", phase: "before_headers", ms: 300 }, count: 1 }] });
    try {
      const servedBefore = upstreamRequests(harness.anthropic);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, index) => burst.messages.create({ model: "haiku-via-anthropic", max_tokens: 200, messages: [{ role: "user", content: `hi ${index}` }] })),
      );
      assert.equal(results.filter((result) => result.status === "fulfilled").length, 1);
      for (const result of results) {
        if (result.status === "fulfilled") continue;
        assert.ok(result.reason instanceof Anthropic.RateLimitError, String(result.reason));
        assert.match(result.reason.message, /burst-budget\\?" has spent \$0 \(and its requests in flight may cost up to \$0\.\d+\) of its \$0\.0005 monthly budget/);
        assert.equal(result.reason.headers.get("retry-after"), "1", "refused for requests in flight: worth retrying soon");
      }
      assert.equal(upstreamRequests(harness.anthropic), servedBefore + 1, "one upstream call");
      // Once the first is done its hold is gone: a later request is judged on what was spent alone.
      const later = await burst.messages.create({ model: "haiku-via-anthropic", max_tokens: 1, messages: [{ role: "user", content: "later" }] }).then(
        () => "served",
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      assert.doesNotMatch(later, /in flight/, "no hold is left behind");
      await harness.ledger.writer.flush();
      assert.equal((await harness.ledger.store.recent(20, { key_id: id })).filter((row) => row.status === 429).length, 7);
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });

  test("a key limited to some models cannot use others (403)", async () => {
    const { secret } = await harness.createKey({ name: "haiku-only", models: ["claude-haiku-4-5"] });
    const limited = harness.client(secret);
    await assert.rejects(limited.messages.create({ model: "claude-sonnet-4-6", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }), Anthropic.PermissionDeniedError);
  });

  test("an allowed model covers its other names (the dated id Claude Code sends, an alias of its deployments), and an allowed alias does not open the model's other deployments", async () => {
    const { secret } = await harness.createKey({ name: "haiku-any-name", models: ["claude-haiku-4-5"] });
    const limited = harness.client(secret);
    for (const model of ["claude-haiku-4-5-20251001", "haiku-via-anthropic", "haiku-via-bedrock"]) {
      const message = await limited.messages.create({ model, max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
      assert.equal(message.type, "message", model);
    }
    assert.equal((await limited.models.retrieve("claude-haiku-4-5-20251001")).id, "claude-haiku-4-5-20251001");
    const { secret: aliasOnly } = await harness.createKey({ name: "anthropic-haiku-only", models: ["haiku-via-anthropic"] });
    const narrow = harness.client(aliasOnly);
    await narrow.messages.create({ model: "haiku-via-anthropic", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
    await assert.rejects(
      narrow.messages.create({ model: "claude-haiku-4-5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
      (error: unknown) => error instanceof Anthropic.PermissionDeniedError && /may not use model claude-haiku-4-5; allowed: haiku-via-anthropic/.test(error.message),
    );
  });
});

describe("failover", () => {
  test("an Anthropic outage (529) fails over to Bedrock before any byte reaches the client; both attempts are in the ledger", async () => {
    harness.anthropic.setProfile("outage");
    try {
      const { data: message, response } = await client.messages
        .create({ model: "sonnet-anthropic-first", max_tokens: 20, messages: [{ role: "user", content: "still there?" }] })
        .withResponse();
      assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet-us");
      assert.equal(response.headers.get("x-switchyard-attempts"), "2");
      const row = await ledgerRow(requestIdOf(message));
      assert.deepEqual(
        row.attempts.map((attempt) => [attempt.deployment, attempt.status, attempt.error]),
        [
          ["anthropic-sonnet", 529, "overloaded"],
          ["bedrock-sonnet-us", 200, null],
        ],
      );
      assert.equal(row.cost_usd, enginePrice(message.usage, "claude-sonnet-4-6", "bedrock", "us"), "billed once, on the deployment that served");
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });
});
