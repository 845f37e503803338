/**
 * One list of residency requirements: the workload file, the gateway config and the
 * x-switchyard-route header take the same places (the catalog's residencies less "global" and
 * "other", plus "any"), and docs/PLANNER.md lists them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { WorkloadError } from "../../src/planner/workload-file.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
import { parseRouteHeader } from "../../src/routing/policy.js";
import { RESIDENCIES } from "../../src/catalog/schema.js";
import { catalog } from "../helpers/catalog.js";
import { REPO_ROOT } from "../helpers/paths.js";

const PLACES = RESIDENCIES.filter((residency) => residency !== "global" && residency !== "other");

const workload = (residency: string) =>
  `name: w\nconstraints: { residency: ${residency} }\nsegments:\n  - { name: s, requests_per_month: 10, input_tokens: 5, output_tokens: 2, models: [claude-haiku-4-5] }\n`;

test("the workload file takes every residency the gateway config takes, sa included", () => {
  for (const residency of ["any", ...PLACES]) {
    const parsed = loadWorkload(workload(residency), "w.yaml", catalog());
    assert.equal(parsed.workload.segments[0]?.constraints.residency, residency);
    const config = `providers:\n  anthropic: { kind: anthropic }\ndeployments:\n  - { id: a, provider: anthropic, model: claude-haiku-4-5 }\nrouting:\n  residency: ${residency}\n`;
    assert.equal(parseGatewayConfig(config, "gw.yaml", catalog()).config.routing.residency, residency);
    assert.equal(parseRouteHeader(`residency=${residency}`)?.residency, residency);
  }
});

test("a residency outside the list is refused, and the message lists the whole list", () => {
  try {
    loadWorkload(workload("mars"), "w.yaml", catalog());
    assert.fail("mars accepted");
  } catch (error) {
    assert.ok(error instanceof WorkloadError, String(error));
    assert.match(error.message, /^w\.yaml:2: constraints\.residency: expected one of any \| us \| eu \| jp \| au \| apac \| govcloud \| ca \| sa, got "mars"$/);
  }
  for (const residency of ["global", "other"]) assert.throws(() => loadWorkload(workload(residency), "w.yaml", catalog()), WorkloadError);
});

test("docs/PLANNER.md lists the same residencies", () => {
  const doc = readFileSync(resolve(REPO_ROOT, "docs/PLANNER.md"), "utf8");
  assert.match(doc, /residency: eu +# any \| us \| eu \| jp \| au \| apac \| govcloud \| ca \| sa\n/);
  assert.match(doc, /\| `residency` \| `any`, `us`, `eu`, `jp`, `au`, `apac`, `govcloud`, `ca`, `sa` \|/);
});
