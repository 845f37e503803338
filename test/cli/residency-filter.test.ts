/**
 * compare --residency and catalog list --residency read a residency as plan and the gateway do
 * (residencyMeets): data in Japan stays in APAC, GovCloud is in the US. They compared for equality,
 * so bedrock/jp was missing from --residency apac and GovCloud from --residency us.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCatalogChecked } from "../../src/catalog/files.js";
import { RESIDENCY_REQUIREMENTS, residencyMeets, type ResidencyRequirement } from "../../src/catalog/schema.js";
import { runCli } from "./run-cli.js";

const { catalog } = loadCatalogChecked();
const skip = catalog ? false : "the repository catalog does not load right now (being edited)";
const AT = "2026-11-24";

/** provider/route/residency of every offering of `models` whose data stays in `residency`, by the planner's rule. */
function expected(models: string[], residency: ResidencyRequirement): string[] {
  assert.ok(catalog);
  return catalog.offerings
    .filter((offering) => models.includes(offering.model.id) && residencyMeets(residency, offering.residency))
    .map((offering) => `${offering.provider}/${offering.route}/${offering.residency}`)
    .sort();
}

test("compare --residency lists every deployment plan would accept for that residency", { skip }, async () => {
  assert.ok(catalog);
  const models = catalog.modelsMatching("sonnet-4.6").map((model) => model.id);
  for (const residency of RESIDENCY_REQUIREMENTS.filter((requirement) => requirement !== "any")) {
    const result = await runCli(["compare", "--model", "sonnet-4.6", "--input", "1000", "--output", "100", "--at", AT, "--json", "--residency", residency]);
    const want = expected(models, residency);
    if (want.length === 0) {
      assert.equal(result.code, 2, residency);
      continue;
    }
    assert.equal(result.code, 0, result.stderr);
    const options = (JSON.parse(result.stdout) as { options: { provider: string; route: string; residency: string }[] }).options;
    assert.deepEqual(options.map((option) => `${option.provider}/${option.route}/${option.residency}`).sort(), want, residency);
  }
  const apac = expected(models, "apac");
  assert.ok(apac.some((entry) => entry.endsWith("/jp")), `Sonnet 4.6 in Japan counts as APAC: ${apac.join(", ")}`);
});

test("catalog list --residency us includes GovCloud; apac includes Japan and Australia", { skip }, async () => {
  for (const [residency, inside] of [["us", "govcloud"], ["apac", "jp"], ["apac", "au"]] as const) {
    const result = await runCli(["catalog", "list", "--residency", residency, "--at", AT, "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const listed = (JSON.parse(result.stdout) as { offerings: { residency: string }[] }).offerings;
    assert.ok(listed.some((offering) => offering.residency === inside), `${residency} lists ${inside}`);
    assert.ok(listed.every((offering) => residencyMeets(residency, offering.residency)), residency);
  }
  // global names no place: it lists the offerings marked global, as before.
  const global = await runCli(["catalog", "list", "--residency", "global", "--json"]);
  const marked = (JSON.parse(global.stdout) as { offerings: { residency: string }[] }).offerings;
  assert.ok(marked.length > 0 && marked.every((offering) => offering.residency === "global"));
});
