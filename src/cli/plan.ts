import { readFileSync, writeFileSync } from "node:fs";
import { plan as planWorkload } from "../planner/plan.js";
import { planJson } from "../planner/plan-json.js";
import { renderHtml } from "../planner/report/html.js";
import { renderMarkdown } from "../planner/report/markdown.js";
import { renderTerminal } from "../planner/report/terminal.js";
import { volumeCurves } from "../planner/volume-curves.js";
import { WorkloadError } from "../planner/workload-file.js";
import { loadWorkload } from "../planner/workload-models.js";
import { catalogFlags, catalogFromFlags } from "./catalog-option.js";
import { dateFlag, parseFlags, today, writeJson, type Command } from "./command.js";
import { UsageError } from "./usage-error.js";

const help = `switchyard plan — what a workload costs on every deployment, which levers to pull, where they break even

Usage: switchyard plan WORKLOAD.yaml [--json | --markdown] [--html FILE] [--at YYYY-MM-DD] [--catalog FILE]

  WORKLOAD.yaml     segments (requests, tokens, cached prefix, arrival, latency, models), constraints
                    (residency, compliance, billing, ttft_p99_ms), discounts, provisioned_throughput
                    quotes and self_host entries; every field is described in docs/PLANNER.md
  --json            {"options":[{"provider","route","model","feasible","reasons","monthly_usd",
                    "breakdown","levers",...}], "recommendation":{...}}; money as exact decimal strings
  --markdown        the report as Markdown
  --html FILE       also write one self-contained page with charts (cost per option, cost against
                    volume with break-even points, breakdown by token class)
  --at YYYY-MM-DD   prices in force that day (default: the file's at:, else today)
  --catalog FILE    your own catalog file (overrides/additions); repeatable

Exit codes: 0 planned, 2 bad workload file or flags (the message names the file, field and line), 1 other.

Example:
  switchyard plan examples/workloads/support-tickets-haiku.yaml --html plan.html
`;

function readWorkload(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read workload file ${path}: ${(error as Error).message}`);
  }
}

export const planCommand: Command = {
  name: "plan",
  summary: "plan a workload: cost on every deployment, levers, break-even points",
  help,
  async run({ argv, stdout, stderr }) {
    const { values, positionals } = parseFlags(
      argv,
      {
        json: { type: "boolean" },
        markdown: { type: "boolean" },
        html: { type: "string" },
        at: { type: "string" },
        ...catalogFlags,
      },
      "plan",
      true,
    );
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? "give the workload file: switchyard plan WORKLOAD.yaml" : `one workload file at a time; got ${positionals.join(", ")}`);
    }
    if (values.json && values.markdown) throw new UsageError("--json and --markdown are alternatives; give one");
    const path = positionals[0] as string;
    if (path.trim() === "") throw new UsageError('the workload file is empty (""): give a path', "e.g. switchyard plan examples/workloads/chat-app-cached.yaml");
    const flagDate = dateFlag(values.at, "at");
    const text = readWorkload(path);
    const catalog = catalogFromFlags(values.catalog, stderr);
    let planned;
    let resolved;
    try {
      resolved = loadWorkload(text, path, catalog);
      // --at wins over the file's own `at:` (which lets an example reproduce an article's date).
      planned = planWorkload(catalog, resolved, { at: flagDate ?? resolved.workload.at ?? today() });
    } catch (error) {
      if (error instanceof WorkloadError) throw new UsageError(error.message, "see docs/PLANNER.md for every field of the workload file");
      throw error;
    }
    if (values.html) {
      const page = renderHtml(planned, volumeCurves(catalog, resolved, planned));
      try {
        writeFileSync(values.html, page);
      } catch (error) {
        throw new UsageError(`--html: cannot write ${values.html}: ${(error as Error).message}`);
      }
      stderr.write(`wrote ${values.html}\n`);
    }
    if (values.json) writeJson(stdout, planJson(planned));
    else if (values.markdown) stdout.write(renderMarkdown(planned));
    else stdout.write(renderTerminal(planned));
    return 0;
  },
};
