/**
 * The provider inferred from a model id (PRODUCT.md: "--provider … inferred from the ID where
 * possible"). Ids are matched in any case, so Together's meta-llama/Llama-4-Scout-17B-16E-Instruct
 * and Groq's meta-llama/llama-4-scout-17b-16e-instruct share a key: the one written exactly is the
 * provider's; a spelling that is neither exactly is refused, naming both and --provider.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCatalogChecked } from "../../src/catalog/files.js";
import { CatalogLookupError } from "../../src/catalog/catalog.js";
import type { ProviderId } from "../../src/catalog/schema.js";
import { runCli } from "./run-cli.js";

const { catalog } = loadCatalogChecked();
const skip = catalog ? false : "the repository catalog does not load right now (being edited)";

interface Priced {
  provider: string;
  model_id: string;
  total_usd: string;
}

async function price(...args: string[]): Promise<Priced> {
  const result = await runCli(["price", "--input", "1000000", "--output", "1000000", "--at", "2026-11-24", "--json", ...args]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Priced;
}

test("Groq's Llama 4 Scout id is priced on Groq, Together's on Together, each as with --provider", { skip }, async () => {
  for (const [id, provider] of [
    ["meta-llama/llama-4-scout-17b-16e-instruct", "groq"],
    ["meta-llama/Llama-4-Scout-17B-16E-Instruct", "together"],
  ] as const) {
    const inferred = await price("--model", id);
    assert.equal(inferred.provider, provider, id);
    assert.equal(inferred.model_id, id);
    assert.equal(inferred.total_usd, (await price("--model", id, "--provider", provider)).total_usd);
  }
});

test("a spelling that is two providers' ids in another case is refused (exit 2), naming both and --provider", async () => {
  const result = await runCli(["price", "--model", "META-LLAMA/llama-4-scout-17b-16e-instruct", "--input", "10", "--output", "1"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--model: .*together's id meta-llama\/Llama-4-Scout-17B-16E-Instruct or groq's id meta-llama\/llama-4-scout-17b-16e-instruct; say which with --provider together\|groq/);
  const chosen = await price("--model", "META-LLAMA/llama-4-scout-17b-16e-instruct", "--provider", "groq");
  assert.equal(chosen.provider, "groq");
  // catalog show needs the model, not the provider: any spelling of it will do.
  const shown = await runCli(["catalog", "show", "META-LLAMA/llama-4-scout-17b-16e-instruct"]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^Llama 4 Scout .*\(llama-4-scout\)/);
});

test("every provider id in the catalog, given alone, resolves to that provider (one the Claude API shares with Vertex or Claude Platform on AWS, to the Claude API)", { skip }, () => {
  assert.ok(catalog);
  const wrong: string[] = [];
  for (const model of catalog.models) {
    for (const [provider, ids] of Object.entries(model.ids) as [ProviderId, string[]][]) {
      for (const id of ids) {
        let resolved: string;
        try {
          resolved = catalog.resolve(id).provider;
        } catch (error) {
          if (error instanceof CatalogLookupError) {
            wrong.push(`${id} (${provider}): ${error.message}`);
            continue;
          }
          throw error;
        }
        // Vertex (Claude 4.6 and later) and Claude Platform on AWS take the Claude API's own ids: those are the Claude API's.
        const expected = model.ids.anthropic?.includes(id) ? "anthropic" : provider;
        if (resolved !== expected) wrong.push(`${id}: ${provider}'s id, resolved to ${resolved}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});
