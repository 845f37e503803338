/**
 * examples/workloads/: every file parses, and each plans against the repository's catalog. The
 * figures asserted here are the ones docs/seed-claims.md quotes; this test reads the real catalog
 * on purpose (it is skipped, saying so, while the catalog does not load).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadCatalogChecked } from "../../src/catalog/files.js";
import { formatUsd } from "../../src/pricing/money.js";
import { plan, type Plan } from "../../src/planner/plan.js";
import { parseWorkloadChecked } from "../../src/planner/workload-file.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
import { REPO_ROOT } from "../helpers/paths.js";

const DIRECTORY = resolve(REPO_ROOT, "examples/workloads");
const files = readdirSync(DIRECTORY).filter((file) => file.endsWith(".yaml")).sort();
const loaded = loadCatalogChecked();
const skip = loaded.catalog ? false : "the repository catalog does not load right now; skipping the example plans";

function planExample(name: string): Plan {
  const catalog = loaded.catalog;
  if (!catalog) throw new Error("no catalog");
  const resolved = loadWorkload(readFileSync(resolve(DIRECTORY, `${name}.yaml`), "utf8"), `${name}.yaml`, catalog);
  return plan(catalog, resolved, { at: resolved.workload.at ?? "2026-11-22" });
}

const usd = (planned: Plan, segment: string, predicate: (id: string) => boolean) => {
  const option = planned.segments.find((entry) => entry.segment.name === segment)?.options.find((candidate) => predicate(candidate.id));
  return option?.monthly === undefined ? "n/a" : formatUsd(option.monthly);
};

test("every example workload parses and names its pricing date", () => {
  assert.ok(files.length >= 6, files.join(", "));
  for (const file of files) {
    // Without the catalog (it may not load), so only up to the checks across fields.
    const { parsed, issues } = parseWorkloadChecked(readFileSync(resolve(DIRECTORY, file), "utf8"), file);
    assert.deepEqual(issues, [], file);
    assert.match(parsed.workload.at ?? "", /^\d{4}-\d{2}-\d{2}$/, file);
  }
});

test("every example plans against the catalog", { skip }, () => {
  for (const file of files) {
    const planned = planExample(file.replace(/\.yaml$/, ""));
    for (const segment of planned.segments) {
      if (segment.recommended) assert.ok(segment.recommended.feasible && segment.recommended.monthly !== undefined, `${file} ${segment.segment.name}`);
      else assert.ok(segment.closest.length > 0, `${file} ${segment.segment.name} says what to relax`);
    }
  }
});

test("seed 001: 10,000 Haiku 4.5 tickets of 3,500 in + 200 out cost $45, not $37; Opus 4.7 is 6.5x, not 5x", { skip }, () => {
  const planned = planExample("support-tickets-haiku");
  // 10,000 x (3,500 x $1 + 200 x $5) / 1e6 = 45
  assert.equal(formatUsd(planned.recommendation.monthly ?? -1n), "45");
  const opus = planned.segments[0]?.levers.find((lever) => /claude-opus-4-7/.test(lever.title));
  // 10,000 x (4,550 x $5 + 260 x $25) / 1e6 = 292.5 = 6.5 x 45
  assert.equal(opus?.detail.monthly_usd, "292.5");
});

test("seed 000: a 50K prompt on 1B tokens a month cannot save $135,000; on 1M requests it does", { skip }, () => {
  const planned = planExample("cached-system-prompt");
  const saving = (segment: string) => planned.segments.find((entry) => entry.segment.name === segment)?.levers.find((lever) => lever.lever === "prompt_caching")?.saving;
  // uncached: 20,000 x (50,250 x $3 + 250 x $15) / 1e6 = 3,090; cached with 1 write and 19,999 reads: 390.285
  assert.equal(formatUsd(saving("one-billion-tokens") ?? -1n), "2699.715");
  assert.equal(usd(planned, "one-billion-tokens", (id) => id.includes("|bedrock/global/")), usd(planned, "one-billion-tokens", (id) => id.includes("|anthropic/global/")));
  assert.ok((saving("one-million-requests") ?? 0n) > 134_000n * 10n ** 18n);
});

test("seed 003: provisioned Sonnet at the seed's own $0.60/MU-hour, and the H100 that costs the whole month", { skip }, () => {
  const provisioned = planExample("provisioned-sonnet");
  // 1 MU x $0.60 x 730 = 438; break-even: 438 / (500 x 3.3 + 500 x 16.5 = $0.0099) = 44,242.4 -> 44,243 requests
  assert.equal(formatUsd(provisioned.recommendation.monthly ?? -1n), "438");
  const lever = provisioned.segments[0]?.recommended?.levers.find((candidate) => candidate.lever === "provisioned_throughput");
  assert.equal(lever?.detail.break_even_requests_per_month, "44243");
  const llama = planExample("llama-bedrock-vs-h100");
  // $1.99 x 730 = 1,452.70 for the seed's "4.5% utilised" GPU; Bedrock 100M x $0.72 = 72
  assert.equal(usd(llama, "llama-70b", (id) => id.endsWith("h100-seed-figures")), "1452.7");
  assert.equal(formatUsd(llama.recommendation.monthly ?? -1n), "72");
});

test("seed 003's support chat (S3-12): 1 MU at $438 breaks even at 58,400 queries against the global route, not the us route's 53,091", { skip }, () => {
  const planned = planExample("support-chat-provisioned");
  // On demand: 10,000 x (500 x $3 + 400 x $15) / 1e6 = 75 on the global route; the us route is 1.1x, 82.5.
  assert.equal(formatUsd(planned.recommendation.monthly ?? -1n), "75");
  const option = planned.segments[0]?.options.find((candidate) => candidate.kind === "provisioned");
  assert.equal(formatUsd(option?.monthly ?? -1n), "438");
  const lever = option?.levers.find((candidate) => candidate.lever === "provisioned_throughput");
  // The reference is the cheapest feasible on-demand option (global, $0.0075 a query): 438 / 0.0075 = 58,400 exactly.
  assert.match(String(lever?.detail.on_demand_comparator), /\/global\//);
  assert.equal(lever?.detail.break_even_requests_per_month, "58400");
  assert.equal(lever?.detail.spill_requests, "0");
  // Only with residency us is the us route ($0.00825 a query) the reference: 438 / 0.00825 = 53,090.9 -> 53,091.
  const catalog = loaded.catalog;
  if (!catalog) return;
  const text = readFileSync(resolve(DIRECTORY, "support-chat-provisioned.yaml"), "utf8").replace("    models: [claude-sonnet-4-6]\n", "    models: [claude-sonnet-4-6]\n    constraints: { residency: us }\n");
  const inUs = plan(catalog, loadWorkload(text, "support-chat-provisioned.yaml", catalog), { at: "2026-03-21" });
  const usLever = inUs.segments[0]?.options.find((candidate) => candidate.kind === "provisioned")?.levers.find((candidate) => candidate.lever === "provisioned_throughput");
  assert.equal(usLever?.detail.break_even_requests_per_month, "53091");
});

test("the example in docs/PLANNER.md parses and plans", { skip }, () => {
  const text = readFileSync(resolve(REPO_ROOT, "docs/PLANNER.md"), "utf8");
  const yaml = /## An example\s+```yaml\n([\s\S]*?)```/.exec(text)?.[1];
  assert.ok(yaml, "the example block is there");
  const catalog = loaded.catalog;
  if (!catalog) return;
  const resolved = loadWorkload(yaml, "docs/PLANNER.md", catalog);
  assert.equal(resolved.workload.segments.length, 2);
  const planned = plan(catalog, resolved, { at: resolved.workload.at ?? "2026-11-22" });
  assert.equal(planned.segments.length, 2);
});

test("chat-app-cached: the hand check in the file's comments, to the last digit", { skip }, () => {
  const planned = planExample("chat-app-cached");
  assert.equal(usd(planned, "chat", (id) => id.startsWith("chat|bedrock/global/claude-haiku-4-5|")), "7569.5123538");
  assert.equal(formatUsd(planned.recommendation.monthly ?? -1n), "7191.03673611");
  assert.equal(planned.segments[0]?.recommended?.cache?.writes, 22n);
});

test("eu-residency: every recommended route keeps the data in the EU; the hand check and what residency costs", { skip }, () => {
  const planned = planExample("eu-residency");
  const recommended = planned.segments[0]?.recommended;
  assert.match(recommended?.id ?? "", /^claims\|bedrock\/eu\[.*\/claude-haiku-4-5\|/);
  assert.equal(formatUsd(planned.recommendation.monthly ?? -1n), "712.2150552");
  const residency = planned.segments[0]?.levers.find((lever) => lever.lever === "residency_cost");
  assert.equal(formatUsd(residency?.saving ?? -1n), "64.7468232");
  for (const option of planned.segments[0]?.options.filter((candidate) => candidate.feasible) ?? []) assert.equal(option.residency, "eu", option.id);
});
