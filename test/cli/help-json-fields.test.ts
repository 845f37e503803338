/**
 * A command's --help names every field its --json prints (scripts read the help to learn the shape):
 * price's whole object and each line, compare's top level and each option. spend's own check is in
 * spend-unpriced.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./run-cli.js";

async function helpFields(command: string): Promise<Set<string>> {
  const help = (await runCli([command, "--help"])).stdout;
  const start = help.indexOf("  --json ");
  const block = help.slice(start, help.indexOf("\n\n", start));
  return new Set([...block.matchAll(/"([a-z_]+)"/g)].map((match) => match[1] as string));
}

function assertNamed(listed: Set<string>, fields: string[], command: string): void {
  for (const field of fields) assert.ok(listed.has(field), `${command} --help does not name ${field}`);
}

test("price --help names every field of price --json", async () => {
  const result = await runCli(["price", "--model", "claude-sonnet-4-6", "--input", "5", "--json"]);
  const output = JSON.parse(result.stdout) as Record<string, unknown> & { lines: Record<string, unknown>[] };
  assertNamed(await helpFields("price"), [...Object.keys(output), ...Object.keys(output.lines[0] ?? {})], "price");
});

test("compare --help names every field of compare --json", async () => {
  const result = await runCli(["compare", "--model", "sonnet-4.6", "--input", "5", "--json"]);
  const output = JSON.parse(result.stdout) as Record<string, unknown> & { options: Record<string, unknown>[] };
  assertNamed(await helpFields("compare"), [...Object.keys(output), ...Object.keys(output.options[0] ?? {})], "compare");
});

test("catalog --help names every field of catalog list, show and validate --json", async () => {
  const listed = await helpFields("catalog");
  const list = JSON.parse((await runCli(["catalog", "list", "--provider", "anthropic", "--json"])).stdout) as Record<string, unknown> & { offerings: Record<string, unknown>[] };
  assertNamed(listed, [...Object.keys(list), ...Object.keys(list.offerings[0] ?? {})], "catalog list");
  const show = JSON.parse((await runCli(["catalog", "show", "claude-sonnet-4-6", "--at", "2026-04-01", "--json"])).stdout) as Record<string, unknown> & { offerings: Record<string, unknown>[] };
  assertNamed(listed, [...Object.keys(show), ...Object.keys(show.offerings[0] ?? {})], "catalog show");
  const validate = JSON.parse((await runCli(["catalog", "validate", "--json"])).stdout) as Record<string, unknown>;
  assertNamed(listed, Object.keys(validate), "catalog validate");
});

test("keys --help names every field of keys create and list --json", async () => {
  // keys gives each subcommand's --json under it: the whole help is read.
  const help = (await runCli(["keys", "--help"])).stdout;
  const listed = new Set([...help.matchAll(/"([a-z_]+)"/g)].map((match) => match[1] as string));
  const directory = mkdtempSync(join(tmpdir(), "switchyard-keys-help-"));
  const db = join(directory, "ledger.db");
  const created = JSON.parse((await runCli(["keys", "create", "--name", "help-check", "--db", db, "--json"])).stdout) as Record<string, unknown>;
  const list = JSON.parse((await runCli(["keys", "list", "--db", db, "--json"])).stdout) as Record<string, unknown>[];
  assertNamed(listed, [...Object.keys(created), ...Object.keys(list[0] ?? {})], "keys");
});
