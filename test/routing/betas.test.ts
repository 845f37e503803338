/** Which anthropic-beta values go to a deployment: the catalog's accepted lists and catalog/betas.yaml. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseGatewayConfig, type Deployment } from "../../src/config/load-gateway-config.js";
import { betasOn, outputLimitOn } from "../../src/routing/betas.js";
import { rankCandidates } from "../../src/routing/candidates.js";
import { readRequestNeeds } from "../../src/routing/request-needs.js";
import { catalog } from "../helpers/catalog.js";
import { CLAUDE_CODE_BETAS } from "../helpers/claude-code.js";

const config = parseGatewayConfig(
  `
providers:
  anthropic: { kind: anthropic }
  bedrock: { kind: bedrock, region: us-east-1 }
  platform: { kind: claude-platform-aws, region: us-east-1 }
deployments:
  - { id: a-sonnet-46, provider: anthropic, model: claude-sonnet-4-6, route: global }
  - { id: b-sonnet-46, provider: bedrock, model: claude-sonnet-4-6, route: global }
  - { id: b-sonnet-45, provider: bedrock, model: claude-sonnet-4-5, route: global }
  - { id: b-haiku-45, provider: bedrock, model: claude-haiku-4-5, route: global }
  - { id: p-haiku-45, provider: platform, model: claude-haiku-4-5, route: global }
  - { id: a-sonnet-37, provider: anthropic, model: claude-3-7-sonnet, route: global }
  - { id: b-sonnet-37, provider: bedrock, model: claude-3-7-sonnet, route: us }
  - { id: a-sonnet-45, provider: anthropic, model: claude-sonnet-4-5, route: global }
`,
  "betas-test.yaml",
  catalog(),
);
const deployment = (id: string) => config.deployments.get(id) as Deployment;
const known = catalog().data.betas;
/** A day on which no beta the tests send had ended anywhere. */
const AT = "2026-03-01";

test("Anthropic-shape upstreams (the Anthropic API, Claude Platform on AWS) receive every beta the client sent", () => {
  assert.deepEqual(betasOn(deployment("a-sonnet-46"), [...CLAUDE_CODE_BETAS, "tool-search-tool-2025-10-19", "some-new-beta-2099-01-01"], known, AT), {
    send: [...CLAUDE_CODE_BETAS, "tool-search-tool-2025-10-19", "some-new-beta-2099-01-01"],
    unknown: [],
    implied: [],
    missing: [],
    ended: [],
  });
  assert.deepEqual(betasOn(deployment("p-haiku-45"), ["tool-search-tool-2025-10-19"], known, AT).send, ["tool-search-tool-2025-10-19"]);
});

test("Bedrock receives only the betas it accepts; the others Claude Code sends are left off, none is missing", () => {
  const plan = betasOn(deployment("b-haiku-45"), CLAUDE_CODE_BETAS, known, AT);
  assert.deepEqual(plan.send, ["interleaved-thinking-2025-05-14"]);
  // The three catalog/betas.yaml does not know; the others it knows as not needed.
  assert.deepEqual(plan.unknown, ["thinking-token-count-2026-05-13", "mid-conversation-system-2026-04-07", "extended-cache-ttl-2025-04-11"]);
  assert.deepEqual(plan.missing, []);
});

test("a needed beta the deployment does not accept is missing, unless its context window gives what the beta asks for", () => {
  assert.deepEqual(betasOn(deployment("b-haiku-45"), ["tool-search-tool-2025-10-19"], known, AT).missing, ["tool-search-tool-2025-10-19"]);
  // The 1M-context beta: Sonnet 4.5 on Bedrock accepts it; Haiku 4.5 (200K) cannot serve it; Sonnet 4.6 has 1M without it.
  assert.deepEqual(betasOn(deployment("b-sonnet-45"), ["context-1m-2025-08-07"], known, AT).send, ["context-1m-2025-08-07"]);
  assert.deepEqual(betasOn(deployment("b-haiku-45"), ["context-1m-2025-08-07"], known, AT).missing, ["context-1m-2025-08-07"]);
  assert.deepEqual(betasOn(deployment("b-sonnet-46"), ["context-1m-2025-08-07"], known, AT), { send: [], unknown: [], implied: ["context-1m-2025-08-07"], missing: [], ended: [] });
});

const OUTPUT_128K = "output-128k-2025-02-19";
const outputLimit = (id: string, betas: string[]) => outputLimitOn(deployment(id), betasOn(deployment(id), betas, known, AT), known);
/** The catalog's max_output_tokens of a deployment's model, and what output-128k raises it to. */
const ownLimit = (id: string) => deployment(id).offering.capabilities.max_output_tokens as number;
const raisedLimit = known.get(OUTPUT_128K)?.max_output_tokens as number;

test("the output limit is the model's max_output_tokens, raised only by a beta the model accepts (output-128k on Sonnet 3.7)", () => {
  assert.ok(raisedLimit > ownLimit("a-sonnet-37") && raisedLimit > ownLimit("b-haiku-45"), "the case this checks: the beta raises both limits");
  assert.equal(outputLimit("b-haiku-45", []), ownLimit("b-haiku-45"));
  assert.equal(outputLimit("a-sonnet-37", []), ownLimit("a-sonnet-37"));
  assert.equal(outputLimit("a-sonnet-37", [OUTPUT_128K]), raisedLimit);
  assert.equal(outputLimit("b-sonnet-37", [OUTPUT_128K]), raisedLimit);
  // Claude 4 models take the header and ignore it; the Anthropic API is sent it all the same.
  assert.deepEqual(betasOn(deployment("a-sonnet-46"), [OUTPUT_128K], known, AT).send, [OUTPUT_128K]);
  assert.equal(outputLimit("a-sonnet-46", [OUTPUT_128K]), ownLimit("a-sonnet-46"));
  // Bedrock's Haiku 4.5 does not accept it: left off without a word, and its own limit stands.
  assert.deepEqual(betasOn(deployment("b-haiku-45"), [OUTPUT_128K], known, AT), { send: [], unknown: [], implied: [], missing: [], ended: [] });
  assert.equal(outputLimit("b-haiku-45", [OUTPUT_128K]), ownLimit("b-haiku-45"));
});

test("max_tokens above a deployment's output limit keeps the request off it, with the limit named", () => {
  const ids = ["a-sonnet-37", "b-sonnet-37", "b-haiku-45"];
  const deployments = ids.map(deployment);
  const rank = (maxTokens: number, betas: string[]) =>
    rankCandidates({
      deployments,
      policy: { residency: "any", compliance: [], billing: "any", objective: "ordered", weights: { cost: 1, latency: 0 } },
      needs: readRequestNeeds({ max_tokens: maxTokens, messages: [] }, betas.join(",")),
      knownBetas: known,
      files: config.files,
      inputTokens: 100,
      maxTokens,
      prefixes: [],
      holdings: new Map(),
      health: new Map(),
      at: "2025-12-01",
      rotation: 0,
    });
  const within = Math.min(...ids.map(ownLimit));
  const above = Math.max(...ids.map(ownLimit)) + 1;
  assert.ok(above <= raisedLimit, "the case this checks: output-128k lets Sonnet 3.7 take it");
  assert.deepEqual(rank(within, []).ranked.map((candidate) => candidate.deployment.id), ids);
  const refused = rank(above, []);
  assert.deepEqual(refused.ranked, []);
  assert.deepEqual(
    refused.excluded.map((exclusion) => `${exclusion.deployment}: ${exclusion.reason} (${exclusion.rule})`),
    ids.map((id) => `${id}: max_tokens ${above}: its output limit is ${ownLimit(id)} tokens (need)`),
  );
  const with128k = rank(above, [OUTPUT_128K]);
  assert.deepEqual(with128k.ranked.map((candidate) => candidate.deployment.id), ["a-sonnet-37", "b-sonnet-37"]);
  assert.deepEqual(with128k.excluded.map((exclusion) => exclusion.deployment), ["b-haiku-45"]);
});

const CONTEXT_1M = "context-1m-2025-08-07";
/** The day the Claude API stopped serving the 1M-context beta (catalog/betas.yaml). */
const ENDED_ON = known.get(CONTEXT_1M)?.ended?.anthropic as string;

test("a needed beta its provider has ended is still sent, and named with the day it ended; a 1M model's window makes it moot", () => {
  assert.equal(ENDED_ON, "2026-04-30");
  assert.deepEqual(betasOn(deployment("a-sonnet-45"), [CONTEXT_1M], known, "2026-04-29"), { send: [CONTEXT_1M], unknown: [], implied: [], missing: [], ended: [] });
  assert.deepEqual(betasOn(deployment("a-sonnet-45"), [CONTEXT_1M], known, ENDED_ON), { send: [CONTEXT_1M], unknown: [], implied: [], missing: [], ended: [{ beta: CONTEXT_1M, on: ENDED_ON }] });
  // Bedrock still serves it; Sonnet 4.6 on the Claude API has a 1M window of its own.
  assert.deepEqual(betasOn(deployment("b-sonnet-45"), [CONTEXT_1M], known, "2026-11-24").ended, []);
  assert.deepEqual(betasOn(deployment("a-sonnet-46"), [CONTEXT_1M], known, "2026-11-24").ended, []);
  // A request without the beta is not affected.
  assert.deepEqual(betasOn(deployment("a-sonnet-45"), ["interleaved-thinking-2025-05-14"], known, "2026-11-24").ended, []);
});

test("a deployment whose provider ended a beta the request needs is tried after those that serve it, whatever the policy; alone, it is still tried", () => {
  const rank = (ids: string[], betas: string[], at: string) =>
    rankCandidates({
      deployments: ids.map(deployment),
      policy: { residency: "any", compliance: [], billing: "any", objective: "ordered", weights: { cost: 1, latency: 0 } },
      needs: readRequestNeeds({ max_tokens: 1024, messages: [] }, betas.join(",")),
      knownBetas: known,
      files: config.files,
      inputTokens: 100,
      maxTokens: 1024,
      prefixes: [],
      holdings: new Map(),
      health: new Map(),
      at,
      rotation: 0,
    });
  const ids = (ranking: ReturnType<typeof rank>) => ranking.ranked.map((candidate) => candidate.deployment.id);
  // Ordered: the Claude API first, as configured, until the beta ended there.
  assert.deepEqual(ids(rank(["a-sonnet-45", "b-sonnet-45"], [CONTEXT_1M], "2026-04-29")), ["a-sonnet-45", "b-sonnet-45"]);
  const after = rank(["a-sonnet-45", "b-sonnet-45"], [CONTEXT_1M], "2026-11-24");
  assert.deepEqual(ids(after), ["b-sonnet-45", "a-sonnet-45"]);
  assert.deepEqual(after.endedLast.map((candidate) => candidate.deployment.id), ["a-sonnet-45"]);
  assert.deepEqual(after.excluded, []);
  // Without the beta, or with no deployment that serves it, the order stands.
  assert.deepEqual(ids(rank(["a-sonnet-45", "b-sonnet-45"], [], "2026-11-24")), ["a-sonnet-45", "b-sonnet-45"]);
  const alone = rank(["a-sonnet-45"], [CONTEXT_1M], "2026-11-24");
  assert.deepEqual(ids(alone), ["a-sonnet-45"]);
  assert.deepEqual(alone.endedLast, []);
  // A 1M-window model on the Claude API keeps its place.
  assert.deepEqual(ids(rank(["a-sonnet-46", "b-sonnet-46"], [CONTEXT_1M], "2026-11-24")), ["a-sonnet-46", "b-sonnet-46"]);
});
