/**
 * /metrics after seeded traffic: names, labels and values against what was sent and what the
 * ledger recorded; the scrape needs a token.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { monthWindow } from "../../src/ledger/budget-window.js";
import { UsdSum } from "../../src/ledger/exact-sum.js";
import { keySpend, type LedgerRow } from "../../src/ledger/ledger.js";
import { METRICS_TOKEN, startSeededGateway, type SeededGateway } from "./seeded-gateway.js";

let seeded: SeededGateway;
let rows: LedgerRow[];
let samples: Map<string, number>;
let text: string;

/** Parses the text format into "name{label="value",...}" -> value, labels sorted by name. */
function parseMetrics(body: string): Map<string, number> {
  const parsed = new Map<string, number>();
  for (const line of body.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `a sample line: ${line}`);
    const [, name, labels = "", value] = match;
    const pairs = [...labels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, key, labelValue]) => `${key}="${labelValue}"`).sort();
    parsed.set(`${name}{${pairs.join(",")}}`, Number(value));
  }
  return parsed;
}

function sample(name: string, labels: Record<string, string>): number | undefined {
  const pairs = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort();
  return samples.get(`${name}{${pairs.join(",")}}`);
}

function scrape(headers: Record<string, string> = {}) {
  return fetch(`${seeded.harness.gateway.url}/metrics`, { headers });
}

before(async () => {
  seeded = await startSeededGateway();
  rows = await seeded.rows();
  const response = await scrape({ authorization: `Bearer ${METRICS_TOKEN}` });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  text = await response.text();
  samples = parseMetrics(text);
});
after(async () => seeded.close());

describe("/metrics", () => {
  test("needs the metrics token or the admin key as a bearer token", async () => {
    assert.equal((await scrape()).status, 401);
    assert.equal((await scrape({ authorization: "Bearer wrong" })).status, 401);
    assert.equal((await scrape({ authorization: `Bearer ${seeded.harness.adminKey}` })).status, 200);
    assert.equal((await scrape({ authorization: `Bearer ${seeded.harness.key}` })).status, 401, "a client's virtual key cannot read metrics");
  });

  test("every metric family has HELP and TYPE, with conventional names", () => {
    for (const [name, type] of [
      ["switchyard_requests_total", "counter"],
      ["switchyard_tokens_total", "counter"],
      ["switchyard_cost_usd_total", "counter"],
      ["switchyard_shadow_cost_usd_total", "counter"],
      ["switchyard_request_duration_seconds", "histogram"],
      ["switchyard_time_to_first_token_seconds", "histogram"],
      ["switchyard_upstream_errors_total", "counter"],
      ["switchyard_failovers_total", "counter"],
      ["switchyard_circuit_breaker_state", "gauge"],
      ["switchyard_deployment_available", "gauge"],
      ["switchyard_key_budget_spent_usd", "gauge"],
      ["switchyard_key_budget_usd", "gauge"],
    ]) {
      assert.match(text, new RegExp(`^# HELP ${name} \\S`, "m"), `${name} has HELP`);
      assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, "m"), `${name} is a ${type}`);
    }
    for (const line of text.split("\n").filter((candidate) => candidate.startsWith("# TYPE switchyard_"))) {
      const [, , name, type] = line.split(" ");
      assert.match(name ?? "", /^[a-z][a-z0-9_]*$/, "snake_case");
      if (type === "counter") assert.match(name ?? "", /_total$/, `${name}: counters end in _total`);
      assert.doesNotMatch(name ?? "", /_ms\b|milliseconds/, "base units: seconds");
    }
  });

  test("requests_total per deployment and status equals the requests sent (and the ledger's rows)", () => {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const key = JSON.stringify([row.deployment ?? "none", row.provider ?? "none", row.model ?? "none", String(row.status)]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, expected] of counts) {
      const [deployment, provider, model, status] = JSON.parse(key) as string[];
      assert.equal(sample("switchyard_requests_total", { deployment: deployment as string, provider: provider as string, model: model as string, status: status as string }), expected, key);
    }
    // From what the test sent: 3 Haiku streams on Bedrock; 2 Sonnet requests + 2 failovers on Bedrock US.
    assert.equal(sample("switchyard_requests_total", { deployment: "bedrock-haiku-global", provider: "bedrock", model: "claude-haiku-4-5", status: "200" }), 3);
    assert.equal(sample("switchyard_requests_total", { deployment: "bedrock-sonnet-us", provider: "bedrock", model: "claude-sonnet-4-6", status: "200" }), 2 + seeded.sent.failovers);
    assert.equal(sample("switchyard_requests_total", { deployment: "none", provider: "none", model: "none", status: "429" }), seeded.sent.budgetRefusals);
    assert.equal(sample("switchyard_requests_total", { deployment: "none", provider: "none", model: "none", status: "404" }), seeded.sent.unknownModel);
  });

  test("tokens by class and cost per deployment match the ledger", () => {
    for (const deployment of ["anthropic-sonnet", "bedrock-sonnet-us", "anthropic-haiku", "bedrock-haiku-global"]) {
      const served = rows.filter((row) => row.deployment === deployment);
      assert.ok(served.length > 0, deployment);
      const { provider, model } = served[0] as LedgerRow;
      const labels = { deployment, provider: provider as string, model: model as string };
      const sum = (pick: (row: LedgerRow) => number | null) => served.reduce((total, row) => total + (pick(row) ?? 0), 0);
      assert.equal(sample("switchyard_tokens_total", { ...labels, class: "input" }), sum((row) => row.input_tokens));
      assert.equal(sample("switchyard_tokens_total", { ...labels, class: "output" }), sum((row) => row.output_tokens));
      const reads = sum((row) => row.cache_read_tokens);
      assert.equal(sample("switchyard_tokens_total", { ...labels, class: "cache_read" }), reads > 0 ? reads : undefined);
      const exact = new UsdSum();
      for (const row of served) exact.add(row.cost_usd);
      const scraped = sample("switchyard_cost_usd_total", labels);
      assert.ok(scraped !== undefined && Math.abs(scraped - Number(exact.toString())) <= 1e-12 * Math.max(1, Number(exact.toString())), `${deployment}: ${scraped} vs exact ${exact}`);
      assert.equal(sample("switchyard_request_duration_seconds_count", { deployment, provider: provider as string, stream: "false" }), served.filter((row) => !row.stream).length || undefined);
    }
    // Two cached prompts: Sonnet and Haiku on the Anthropic API both read from cache.
    assert.ok((sample("switchyard_tokens_total", { deployment: "anthropic-sonnet", provider: "anthropic", model: "claude-sonnet-4-6", class: "cache_read" }) ?? 0) > 0);
  });

  test("time to first token is observed for streams, in seconds", () => {
    const streams = rows.filter((row) => row.deployment === "bedrock-haiku-global" && row.stream);
    assert.equal(sample("switchyard_time_to_first_token_seconds_count", { deployment: "bedrock-haiku-global", provider: "bedrock", stream: "true" }), streams.length);
    const seconds = sample("switchyard_time_to_first_token_seconds_sum", { deployment: "bedrock-haiku-global", provider: "bedrock", stream: "true" }) ?? -1;
    const expected = streams.reduce((total, row) => total + (row.ttft_ms ?? 0), 0) / 1000;
    assert.ok(Math.abs(seconds - expected) < 1e-9, `${seconds} vs ${expected}`);
  });

  test("upstream errors by kind, failovers, and the open circuit", () => {
    assert.equal(sample("switchyard_upstream_errors_total", { deployment: "anthropic-sonnet", provider: "anthropic", kind: "upstream_server" }), seeded.sent.failovers);
    assert.equal(sample("switchyard_failovers_total", { from_deployment: "anthropic-sonnet", to_deployment: "bedrock-sonnet-us" }), seeded.sent.failovers);
    assert.equal(sample("switchyard_circuit_breaker_state", { deployment: "anthropic-sonnet", state: "open" }), 1);
    assert.equal(sample("switchyard_circuit_breaker_state", { deployment: "anthropic-sonnet", state: "closed" }), 0);
    assert.equal(sample("switchyard_circuit_breaker_state", { deployment: "bedrock-sonnet-us", state: "closed" }), 1);
    assert.equal(sample("switchyard_deployment_available", { deployment: "anthropic-sonnet" }), 0);
    assert.equal(sample("switchyard_deployment_available", { deployment: "bedrock-haiku-global" }), 1);
  });

  test("month-to-date spend and budget of each key with a budget, as the ledger has them", async () => {
    const { from } = monthWindow(Date.now());
    for (const [name, id] of [["support-bot", seeded.keys.support], ["intern-sandbox", seeded.keys.tiny], ["search-team", seeded.keys.search]] as const) {
      const exact = await keySpend(seeded.harness.ledger.store, id, from);
      assert.ok(Number(exact) > 0, `${name} spent something`);
      assert.equal(sample("switchyard_key_budget_spent_usd", { key_id: id, key_name: name }), Number(exact), `${name}`);
    }
    assert.equal(sample("switchyard_key_budget_usd", { key_id: seeded.keys.tiny, key_name: "intern-sandbox" }), 0.0001);
    assert.equal(sample("switchyard_key_budget_usd", { key_id: seeded.keys.data, key_name: "data-pipeline" }), undefined, "no budget, no series");
    assert.equal(sample("switchyard_key_budget_spent_usd", { key_id: seeded.keys.data, key_name: "data-pipeline" }), undefined);
  });

  test("a gauge whose source fails (the key store, the ledger away) keeps its last values, is counted, and the scrape still answers", async () => {
    const keys = seeded.harness.ledger.keys;
    const list = keys.list.bind(keys);
    keys.list = async () => {
      throw new Error("connection refused (test)");
    };
    try {
      // The count shows from the next scrape on (the registry reads every family at once).
      for (let scrapes = 0; scrapes < 2; scrapes += 1) assert.equal((await scrape({ authorization: `Bearer ${METRICS_TOKEN}` })).status, 200);
      const failing = parseMetrics(await (await scrape({ authorization: `Bearer ${METRICS_TOKEN}` })).text());
      const named = (name: string, labels: string) => failing.get(`${name}{${labels}}`);
      assert.ok((named("switchyard_metrics_collect_errors_total", 'gauge="switchyard_key_budget_spent_usd"') ?? 0) >= 2);
      assert.equal(named("switchyard_key_budget_usd", `key_id="${seeded.keys.tiny}",key_name="intern-sandbox"`), 0.0001, "the last value stays");
      assert.ok([...failing.keys()].some((series) => series.startsWith("switchyard_requests_total{")), "the rest of the scrape is there");
    } finally {
      keys.list = list;
    }
  });

  test("a new request moves the counters at once (onRecord)", async () => {
    const before = sample("switchyard_requests_total", { deployment: "bedrock-haiku-global", provider: "bedrock", model: "claude-haiku-4-5", status: "200" }) ?? 0;
    const response = await fetch(`${seeded.harness.gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": seeded.harness.key, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "haiku-via-bedrock", max_tokens: 10, messages: [{ role: "user", content: "one more" }] }),
    });
    assert.equal(response.status, 200);
    await response.text();
    samples = parseMetrics(await (await scrape({ authorization: `Bearer ${METRICS_TOKEN}` })).text());
    assert.equal(sample("switchyard_requests_total", { deployment: "bedrock-haiku-global", provider: "bedrock", model: "claude-haiku-4-5", status: "200" }), before + 1);
  });
});
