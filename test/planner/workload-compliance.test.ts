/**
 * Compliance programmes in a workload file are checked against the catalog, as the gateway config
 * checks them: a misspelt one is bad input at its own line (exit 2), not a plan with nothing feasible.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { WorkloadError } from "../../src/planner/workload-file.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";
import { PLANNER_FIXTURES, plannerCatalog } from "./planner-fixture.js";

const FILE = resolve(PLANNER_FIXTURES, "bad/unknown-compliance.yaml");

test("an unknown compliance programme is refused at its line, in the workload's constraints and a segment's", () => {
  let issues: string[] = [];
  try {
    loadWorkload(readFileSync(FILE, "utf8"), "bad/unknown-compliance.yaml", plannerCatalog());
  } catch (error) {
    assert.ok(error instanceof WorkloadError, String(error));
    issues = error.message.split("\n");
  }
  assert.equal(issues.length, 2, issues.join("\n"));
  assert.match(issues[0] ?? "", /^bad\/unknown-compliance\.yaml:3: constraints\.compliance\.0: unknown compliance programme "hipa"; the catalog knows .*\bhipaa\b/);
  assert.match(issues[1] ?? "", /^bad\/unknown-compliance\.yaml:18: segments\.1\.constraints\.compliance\.1: unknown compliance programme "fedramp-hi"; the catalog knows .*\bfedramp-high\b/);
});

test("switchyard plan exits 2 on a misspelt programme, with the gateway config's wording", () => {
  const result = spawnSync(process.execPath, [BIN, "plan", FILE, "--json"], { encoding: "utf8", cwd: REPO_ROOT });
  assert.equal(result.status, 2, result.stdout.slice(0, 300));
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /unknown-compliance\.yaml:3: constraints\.compliance\.0: unknown compliance programme "hipa"; the catalog knows [a-z0-9, -]*hipaa/);
});

test("programmes the catalog knows still plan", () => {
  const text = "name: w\nconstraints: { compliance: [hipaa] }\nsegments:\n  - { name: s, requests_per_month: 10, input_tokens: 5, output_tokens: 2, models: [claude-haiku-4-5] }\n";
  const resolved = loadWorkload(text, "w.yaml", plannerCatalog());
  assert.deepEqual(resolved.workload.segments[0]?.constraints.compliance, ["hipaa"]);
});
