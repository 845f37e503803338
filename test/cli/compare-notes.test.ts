/**
 * compare's table: a note every deployment shares (the README example's "exceeds the context
 * window") is printed once under the table, notes that differ stay on their rows, and --json keeps
 * every option's reasons complete for scripts. With nothing feasible there is no table to rank, only
 * the reasons.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BIN, REPO_ROOT } from "../helpers/paths.js";
import { catalog } from "../helpers/catalog.js";

const README_EXAMPLE = ["compare", "--model", "sonnet-4.6", "--input", "1000000", "--output", "100000", "--cache-read", "200000", "--at", "2026-11-22"];
/** How many deployments compare weighs for a model: every offering the catalog has of it (a count the catalog may change). */
const deploymentsOf = (model: string) => catalog().offeringsOf(model).length;
const WINDOW = "as one request, 1200000 prompt + 100000 output tokens exceed claude-sonnet-4-6's 1000000-token context window";

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: REPO_ROOT });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

test("the README's compare example prints the shared context-window note once, below the table", () => {
  const text = run(...README_EXAMPLE);
  assert.equal(text.split(WINDOW).length - 1, 1, text);
  const lines = text.trimEnd().split("\n");
  assert.ok(lines.at(-1)?.startsWith(`note (all ${deploymentsOf("claude-sonnet-4-6")} deployments): ${WINDOW}`), lines.at(-1));
  // Notes that only some rows carry stay on those rows.
  const vertex = lines.filter((line) => /^\s*\d+\s+vertex\//.test(line));
  assert.ok(vertex.length > 0);
  for (const line of vertex) assert.match(line, /price from unverified third-party quotes$/);
  const anthropic = lines.find((line) => /^\s*\d+\s+anthropic\/global\s/.test(line));
  assert.match(anthropic ?? "", /cheapest$/);
});

test("compare --json still gives every option its full reasons, the shared note included", () => {
  const options = (JSON.parse(run(...README_EXAMPLE, "--json")) as { options: { reasons: string[] }[] }).options;
  assert.equal(options.length, deploymentsOf("claude-sonnet-4-6"));
  for (const option of options) assert.ok(option.reasons.some((reason) => reason.startsWith(WINDOW)), JSON.stringify(option.reasons));
});

test("with no shared notes and none per row, the table has no notes column", () => {
  const text = run("compare", "--model", "claude-sonnet-4-6", "--provider", "anthropic", "--input", "1000", "--at", "2026-11-22");
  assert.doesNotMatch(text, /notes|note \(/);
});

test("with no feasible deployment, compare prints why (a reason all share once), not a table of n/a rows", () => {
  const shared = run("compare", "--model", "claude-opus-4-6", "--speed", "fast", "--batch", "--input", "10", "--output", "10", "--at", "2026-11-22");
  const opus = deploymentsOf("claude-opus-4-6");
  assert.equal(shared, `claude-opus-4-6: none of ${opus} deployments can serve this, prices in force 2026-11-22\n  all ${opus}: fast mode is not available with the Batch API\n`);
  // Each named with its own reason: Haiku has no fast mode on the Claude API, and no price yet on Claude Platform on AWS that day.
  const each = run("compare", "--model", "claude-haiku-4-5", "--provider", "anthropic", "--provider", "claude-platform-aws", "--speed", "fast", "--input", "10", "--output", "10", "--at", "2026-01-01").split("\n");
  const direct = catalog()
    .offeringsOf("claude-haiku-4-5")
    .filter((offering) => offering.provider === "anthropic" || offering.provider === "claude-platform-aws");
  assert.equal(direct.length, 2, "the two deployments this names");
  assert.equal(each[0], "claude-haiku-4-5: none of 2 deployments can serve this, prices in force 2026-01-01");
  assert.match(each[1] ?? "", /^  anthropic\/global: fast mode is not available for claude-haiku-4-5/);
  assert.match(each[2] ?? "", /^  claude-platform-aws\/global: no price on 2026-01-01 \(priced /);
  assert.ok(!each.some((line) => /n\/a|provider\/route/.test(line)), each.join("\n"));
});

test("a date on which no deployment of the model has a price is the date's problem: exit 2 naming --at and when prices start, as price says", () => {
  const result = spawnSync(process.execPath, [BIN, "compare", "--model", "haiku-4.5", "--input", "5", "--at", "2020-01-01"], { encoding: "utf8", cwd: REPO_ROOT });
  assert.equal(result.status, 2, result.stdout);
  const first = catalog()
    .offeringsOf("claude-haiku-4-5")
    .flatMap((offering) => offering.prices.map((block) => block.from))
    .sort()[0];
  assert.equal(result.stderr, `switchyard compare: --at: no deployment of haiku-4.5 has a price on 2020-01-01\nits prices start on ${first}: give --at ${first} or later\n`);
  assert.equal(result.stdout, "");
});
