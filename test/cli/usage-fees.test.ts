/**
 * The fee flags (--web-search-requests, --agent-session-ms) of price and compare: checked as every
 * count flag is, and added to a --usage-json usage (no usage object carries a Managed Agents
 * session's time), never dropped. A usage that reports its own searches is refused with the flag:
 * one of the two counts would be lost. Sonnet 4.6 on 2026-11-24: $3/$15 per MTok, $10 per 1,000
 * searches, $0.08 per session-hour.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./run-cli.js";

const USAGE = JSON.stringify({ input_tokens: 1000, output_tokens: 100 });
const price = (...args: string[]) => runCli(["price", "--model", "claude-sonnet-4-6", "--at", "2026-11-24", "--json", ...args], { input: USAGE });

test("price --usage-json adds --web-search-requests and --agent-session-ms to the usage", async () => {
  const searches = await price("--usage-json", "-", "--web-search-requests", "5000");
  assert.equal(searches.code, 0, searches.stderr);
  const priced = JSON.parse(searches.stdout) as { total_usd: string; lines: { class: string; usd: string }[] };
  assert.equal(priced.total_usd, "50.0045");
  assert.deepEqual(priced.lines.find((line) => line.class === "web_search")?.usd, "50");
  const session = await price("--usage-json", "-", "--agent-session-ms", "3600000");
  assert.equal(session.code, 0, session.stderr);
  assert.equal((JSON.parse(session.stdout) as { total_usd: string }).total_usd, "0.0845");
});

test("compare --usage-json adds the fee flags to every deployment's usage", async () => {
  const result = await runCli(["compare", "--model", "claude-sonnet-4-6", "--at", "2026-11-24", "--json", "--usage-json", "-", "--web-search-requests", "5000", "--provider", "anthropic"], { input: USAGE });
  assert.equal(result.code, 0, result.stderr);
  const compared = JSON.parse(result.stdout) as { options: { route: string; total_usd: string }[] };
  assert.equal(compared.options.find((option) => option.route === "global")?.total_usd, "50.0045");
});

test("a fee flag's value is checked with --usage-json too: exit 2 naming the flag", async () => {
  for (const flag of ["--web-search-requests", "--agent-session-ms"]) {
    const result = await price("--usage-json", "-", flag, "abc");
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`${flag} must be a whole number \\(0 or more\\), got "abc"`));
  }
});

test("--web-search-requests with a usage that reports its own searches is refused, naming both", async () => {
  const input = JSON.stringify({ input_tokens: 1000, output_tokens: 100, server_tool_use: { web_search_requests: 2 } });
  const result = await runCli(["price", "--model", "claude-sonnet-4-6", "--usage-json", "-", "--web-search-requests", "3"], { input });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--web-search-requests: the usage on standard input already reports 2 web search requests \(server_tool_use\.web_search_requests\); give one or the other/);
});

test("a request of fees alone (searches, no tokens) is priced without --input 0", async () => {
  const result = await runCli(["price", "--model", "claude-sonnet-4-6", "--at", "2026-11-24", "--json", "--web-search-requests", "3"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout) as { total_usd: string }).total_usd, "0.03");
  const nothing = await runCli(["price", "--model", "claude-sonnet-4-6"]);
  assert.equal(nothing.code, 2);
  assert.match(nothing.stderr, /give the request's tokens/);
});
