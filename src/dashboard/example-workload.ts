/**
 * The planner form's starting text: an example from examples/workloads/ (the repository's own,
 * read once at start-up), or a small built-in one when the examples are not installed.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** examples/workloads from dist/src/dashboard (or any other build directory at the same depth). */
export const EXAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../examples/workloads");
const PREFERRED = "support-tickets-haiku.yaml";

const BUILT_IN = `name: support-tickets
description: Ticket triage on Haiku 4.5, with Sonnet 4.6 priced for comparison.
segments:
  - name: ticket-triage
    requests_per_month: 10000
    input_tokens: 3500
    output_tokens: { mean: 200, p90: 450 }
    arrival: business-hours
    latency: realtime
    models: [claude-haiku-4-5]
    consider_models: [claude-sonnet-4-6]
`;

export function exampleWorkload(directory = EXAMPLES_DIR): { name: string; text: string } {
  if (existsSync(directory)) {
    const files = readdirSync(directory).filter((name) => /\.ya?ml$/.test(name)).sort();
    const chosen = files.includes(PREFERRED) ? PREFERRED : files[0];
    if (chosen) return { name: `examples/workloads/${chosen}`, text: readFileSync(join(directory, chosen), "utf8") };
  }
  return { name: "built-in example", text: BUILT_IN };
}
