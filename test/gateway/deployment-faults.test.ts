/**
 * Upstream answers that say a deployment cannot serve its model at all (a wrong or bare model id,
 * an account without the model's data retention mode, a model id the Anthropic API does not know)
 * fail over as the gateway's own fault, count against the deployment's health, and reach the
 * client only as a 502 naming the fix (src/providers/shared/deployment-faults.ts).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { bedrockError, bedrockStreamException } from "../../src/providers/bedrock/errors.js";
import { anthropicError } from "../../src/providers/shared/anthropic-errors.js";
import { readHealth, startHarness, type Harness } from "../helpers/gateway-harness.js";
import { deploymentRefusalReport } from "../../src/gateway/request-report.js";

const DATA_RETENTION = "The model returned following errors: data retention mode 'default' is not available for this model";

describe("deployment faults, as the error mappers read them", () => {
  const bedrock400 = (message: string, type = "ValidationException", status = 400) => bedrockError(status, { "x-amzn-errortype": type }, JSON.stringify({ message }), undefined, "bedrock-x");

  test("Bedrock: the account's data retention mode, a bare id, an invalid id, the use-case form, a legacy model", () => {
    const cases: Array<[ReturnType<typeof bedrock400>, RegExp]> = [
      [bedrock400(DATA_RETENTION), /data retention mode 'default' is not available for this model \(this deployment cannot serve the model as configured: the AWS account .* provider_data_share/],
      [
        bedrock400("Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model."),
        /set the deployment's upstream_model to an inference profile id/,
      ],
      [bedrock400("The provided model identifier is invalid."), /check the deployment's upstream_model and that its region offers it/],
      [bedrock400("The model returned the following errors: You have not filled out the required use-case form for this model."), /use-case form/],
      // As live calls get it (a 404): the most common way an account meets Claude on Bedrock first.
      [
        bedrock400(
          "Model use case details have not been submitted for this account. Fill out the Anthropic use case details form before using the model. If you have already filled out the form, try again in 15 minutes.",
          "ResourceNotFoundException",
          404,
        ),
        /submit Anthropic's use-case form/,
      ],
      [bedrock400("You have not filled out the request form", "ResourceNotFoundException", 404), /submit Anthropic's use-case form/],
      [
        bedrock400("Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last 15 days.", "ResourceNotFoundException", 404),
        /point the deployment at an active model/,
      ],
    ];
    for (const [index, [error, fix]] of cases.entries()) {
      assert.equal(error.kind, "upstream_auth", error.message);
      assert.match(error.message, fix);
      assert.equal(error.details.status, index >= cases.length - 3 ? 404 : 400);
    }
    // The same in an exception frame that is the body of an error answer.
    assert.equal(bedrockStreamException("validationException", JSON.stringify({ message: DATA_RETENTION }), "bedrock-x", { status: 400, retryAfterMs: undefined }).kind, "upstream_auth");
  });

  test("a field name the client made up, which Bedrock repeats in its refusal, is not read as a deployment fault", () => {
    const echoed = bedrock400("Malformed input request: #: extraneous key [The provided model identifier is invalid] is not permitted, please reformat your input and try again.");
    assert.equal(echoed.kind, "invalid_request");
    // A fault's words anywhere but at the start of the message are not the fault (the patterns are anchored).
    assert.equal(bedrock400("messages.0.content: The provided model identifier is invalid.").kind, "invalid_request");
    // A message that names a refused field is a refusal, even when it starts with a fault's words.
    const refusal = bedrock400("Invocation of model ID x with on-demand throughput isn't supported. foo: Extra inputs are not permitted");
    assert.equal(refusal.kind, "unsupported");
    assert.deepEqual(refusal.details.refusedFields, ["foo"]);
    const named = anthropicError(400, { error: { type: "invalid_request_error", message: "metadata.spend limit: Extra inputs are not permitted" } }, undefined, "anthropic-x");
    assert.equal(named.kind, "unsupported", "a refused field whose name reads \"spend limit\" is not the account's spend cap");
    assert.deepEqual(named.details.refusedFields, ["limit"]);
  });

  test("an Anthropic error type named like an object's own members is an unknown type, read by status", () => {
    for (const type of ["__proto__", "constructor", "toString"]) {
      assert.equal(anthropicError(429, { error: { type, message: "x" } }, undefined, "anthropic-x").kind, "rate_limited", type);
    }
  });

  test("the same text as an access error gets the fix too", () => {
    const error = bedrock400("Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last 15 days.", "AccessDeniedException", 403);
    assert.equal(error.kind, "upstream_auth");
    assert.match(error.message, /point the deployment at an active model/);
  });

  test("the request's own faults stay its own", () => {
    assert.equal(bedrock400("messages: roles must alternate between \"user\" and \"assistant\"").kind, "invalid_request");
    assert.equal(bedrock400("Malformed input request: #: extraneous key [service_tier] is not permitted, please reformat your input and try again.").kind, "unsupported");
    assert.equal(anthropicError(400, { error: { type: "invalid_request_error", message: "max_tokens: Field required" } }, undefined, "anthropic-x").kind, "invalid_request");
    assert.equal(anthropicError(404, { error: { type: "not_found_error", message: "File not found: file_011CNha8iCJcU1wXNR6q4V8w" } }, undefined, "anthropic-x").kind, "not_found");
  });

  test("Anthropic: a prepaid account out of credit (a 400) is the account's fault, not the request's: it fails over", () => {
    const error = anthropicError(400, { error: { type: "invalid_request_error", message: "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits." } }, undefined, "anthropic-x");
    assert.equal(error.kind, "upstream_auth");
    assert.match(error.message, /spend limit: other deployments serve the model/);
  });

  test("Anthropic: a 404 for the deployment's model id", () => {
    const error = anthropicError(404, JSON.stringify({ type: "error", error: { type: "not_found_error", message: "model: claude-sonnet-0-0" } }), undefined, "anthropic-x");
    assert.equal(error.kind, "upstream_auth");
    assert.match(error.message, /model: claude-sonnet-0-0 \(this deployment cannot serve the model as configured: the upstream does not know the deployment's model id/);
  });
});

describe("through the gateway, with the official SDK", () => {
  let harness: Harness;
  let client: Anthropic;
  before(async () => {
    harness = await startHarness({
      policy: "ordered",
      deployments: `deployments:
  - { id: bedrock-bare-id, provider: bedrock-emulator, model: claude-sonnet-4-6, route: us, upstream_model: anthropic.claude-sonnet-4-6 }
  - { id: bedrock-sonnet-us, provider: bedrock-emulator, model: claude-sonnet-4-6, route: us }
  - { id: anthropic-unknown-id, provider: anthropic-emulator, model: claude-sonnet-4-6, route: global, upstream_model: claude-sonnet-0-0 }
  - { id: anthropic-sonnet, provider: anthropic-emulator, model: claude-sonnet-4-6, route: global }
models:
  bare-first: [bedrock-bare-id, anthropic-sonnet]
  bare-only: [bedrock-bare-id]
  unknown-id-first: [anthropic-unknown-id, bedrock-sonnet-us]
  bedrock-first: [bedrock-sonnet-us, anthropic-sonnet]
`,
    });
    client = harness.client();
  });
  after(async () => harness.close());

  const ask = (model: string, stream = false) =>
    stream
      ? client.messages.create({ model, max_tokens: 16, stream: true, messages: [{ role: "user", content: "hello" }] }).withResponse()
      : client.messages.create({ model, max_tokens: 16, messages: [{ role: "user", content: "hello" }] }).withResponse();

  async function attemptsOf(requestId: string): Promise<Array<{ deployment: string; status: number | null; error: string | null }>> {
    await harness.ledger.writer.flush();
    const row = await harness.ledger.store.get(requestId);
    assert.ok(row, `a ledger row for ${requestId}`);
    return row.attempts.map(({ deployment, status, error }) => ({ deployment, status, error }));
  }

  test("a bare Bedrock id (on-demand throughput not supported) fails over to the next deployment, streaming and not", async () => {
    for (const stream of [false, true]) {
      const { response } = await ask("bare-first", stream);
      assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-sonnet");
      assert.deepEqual(await attemptsOf(response.headers.get("request-id") ?? ""), [
        { deployment: "bedrock-bare-id", status: 400, error: "upstream_auth" },
        { deployment: "anthropic-sonnet", status: 200, error: null },
      ]);
    }
  });

  test("with no deployment left the client gets a 502 that names the deployment and the fix, not a 400 blaming its request; the operator hears of it on stderr", async () => {
    const reported: string[] = [];
    const original = harness.gateway.state.deploymentRefusals;
    harness.gateway.state.deploymentRefusals = deploymentRefusalReport((error) => reported.push(error.message), 0);
    try {
      await assert.rejects(ask("bare-only"), (error: unknown) => {
        assert.ok(error instanceof Anthropic.APIError);
        assert.equal(error.status, 502);
        assert.equal(error.headers.get("x-should-retry"), "false", "a retry would walk every deployment to the same answer");
        assert.match(error.message, /deployment bedrock-bare-id refused the gateway's own credentials or configuration \(not your API key\): /);
        assert.match(error.message, /on-demand throughput isn.t supported.*set the deployment's upstream_model to an inference profile id/);
        return true;
      });
      assert.equal(reported.length, 1, reported.join("\n"));
      assert.match(reported[0] ?? "", /^1 attempt\(s\) refused for the gateway's own credentials, account or configuration \(the last req_sy_[\w-]+\): deployment bedrock-bare-id refused/);
    } finally {
      harness.gateway.state.deploymentRefusals = original;
    }
  });

  test("a model id the Anthropic API does not know fails over to Bedrock and counts against the deployment's health", async () => {
    const { response } = await ask("unknown-id-first");
    assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet-us");
    assert.deepEqual(await attemptsOf(response.headers.get("request-id") ?? ""), [
      { deployment: "anthropic-unknown-id", status: 404, error: "upstream_auth" },
      { deployment: "bedrock-sonnet-us", status: 200, error: null },
    ]);
    // The health endpoint's figures may be up to 100 ms old (the routing snapshot).
    await new Promise((resolve) => setTimeout(resolve, 150));
    const health = await readHealth(harness.gateway.url, harness.adminKey);
    assert.equal(health.deployments.find((entry) => entry.deployment === "anthropic-unknown-id")?.failures, 1);
  });

  /** Bedrock answers the next request with this error; the request must fail over to the Anthropic API. */
  async function failsOverFromBedrock(error: { status: number; type: string; message: string }, stream = false): Promise<void> {
    harness.bedrock.setProfile({ rules: [{ fault: { kind: "error", ...error }, count: 1 }] });
    try {
      const { response } = await ask("bedrock-first", stream);
      assert.equal(response.status, 200, `stream ${stream}`);
      assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-sonnet");
      assert.deepEqual(await attemptsOf(response.headers.get("request-id") ?? ""), [
        { deployment: "bedrock-sonnet-us", status: error.status, error: "upstream_auth" },
        { deployment: "anthropic-sonnet", status: 200, error: null },
      ]);
    } finally {
      harness.bedrock.setProfile("instant");
    }
  }

  test("an account without the model's data retention mode (Claude Fable 5 on Bedrock) fails over to the Anthropic API", async () => {
    await failsOverFromBedrock({ status: 400, type: "ValidationException", message: DATA_RETENTION });
  });

  test("an account that has not submitted Anthropic's use-case form (a 404) fails over to the Anthropic API, streaming and not", async () => {
    const message = "Model use case details have not been submitted for this account. Fill out the Anthropic use case details form before using the model. If you have already filled out the form, try again in 15 minutes.";
    for (const stream of [false, true]) await failsOverFromBedrock({ status: 404, type: "ResourceNotFoundException", message }, stream);
  });
});
