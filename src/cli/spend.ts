import type { SpendGroup, SpendQuery } from "../ledger/ledger.js";
import { attodollarsFromText } from "../ledger/exact-sum.js";
import { LEDGER_FLAGS_HELP, ledgerFlags, openCommandLedger } from "./ledger-option.js";
import { costOnEachDeployment, servedOnEachDeployment, unpricedOnEachDeployment, type ServedOnDeployments } from "../ledger/deployment-costs.js";
import { rollUp, totalOf } from "../ledger/roll-up.js";
import { TAG_KEY } from "../ledger/row-schema.js";
import { GROUP_FIELDS, inReportOrder, type GroupField } from "../ledger/spend-groups.js";
import { choiceFlag, dateFlag, parseFlags, writeJson, type Command } from "./command.js";
import { groupDigits, renderTable } from "./table.js";
import { UsageError } from "./usage-error.js";

const help = `switchyard spend — what the gateway's traffic cost, from the ledger

Usage: switchyard spend [--by FIELD[,FIELD]] [--tag-key K] [--from DATE] [--to DATE] [--key ID|NAME] [--json]

  --by FIELD              ${GROUP_FIELDS.join("|")} (default: day); several with commas: --by day,model
  --tag-key K             the tag to group on with --by tag (tags come from the x-switchyard-tags header
                          and from the key), e.g. --by tag --tag-key team
  --from YYYY-MM-DD       first day counted (UTC)
  --to YYYY-MM-DD         last day counted, inclusive (UTC)
  --key ID|NAME           only this virtual key's requests
${LEDGER_FLAGS_HELP}
  --json                  {"from","to" (the first and last UTC day counted, as --from and --to give them:
                          YYYY-MM-DD, both inclusive; null when not given),"group_by","tag_key","key_id",
                          "groups":[{"group","requests","errors","cost_usd","charged_usd","inexact_requests",
                          "unpriced_requests","input_tokens","output_tokens","cache_write_tokens","cache_read_tokens",
                          "shadow_costs","shadow_requests","cost_on_each_deployment","unpriced_on_each_deployment",
                          "unpriced_served_on_each_deployment","cost_status" [,"key_name" with --by key]}],
                          "total":{...}};
                          money as exact decimal strings; charged_usd is what counts against budgets
                          (an inexact cost's upper bound); cost_status says what cost_usd is: exact,
                          lower_bound, or unpriced (no request could be priced: "0" is no figure)

Rows: by the first --by field as it would be alone (days in order, anything else largest cost first),
then by the other fields' values, so that one key's rows of --by key,model stay together.

Columns: requests, errors (status >= 400), exact cost, inexact (requests whose cost is a lower bound
because the upstream did not report some usage, or unknown because they could not be priced: those
are in no cost total, and the report counts them), tokens by class. A cost that leaves some of
that out is a lower bound, shown "≥ $X"; a row none of whose requests could be priced shows
"unpriced", never "$0". A second table shows what the same requests cost on each deployment:
the actual cost where a deployment served them, the shadow cost (the same usage at that
deployment's prices) where it could have. shadow_costs in --json is the sum
of the priced requests' shadow costs (those cost sums; an unpriced request's are left out, as its
cost is); cost_on_each_deployment adds the actual costs of the requests each one served.
A deployment that could not price some of those requests (no price there for something they used)
has a partial figure, a lower bound: the table shows it as "≥ $X" and says how many requests it
leaves out; unpriced_on_each_deployment names such deployments, each with that count (counted
model by model; a deployment it does not name has a complete figure). Compare or rank only the
figures it does not name.

Examples:
  switchyard spend --by model --from 2026-01-01
  switchyard spend --by tag --tag-key team --json
`;

const DAY_MS = 86_400_000;
const BAR_WIDTH = 20;

function parseGroupBy(value: string | undefined): GroupField[] {
  const fields = (value ?? "day").split(",").map((field) => field.trim());
  const parsed = fields.map((field) => choiceFlag(field, "by", GROUP_FIELDS) as GroupField);
  const twice = parsed.find((field, index) => parsed.indexOf(field) !== index);
  if (twice) throw new UsageError(`--by names ${twice} twice: give each field once`, "e.g. --by day,key");
  return parsed;
}

/** A bar proportional to cost; display only, so integer division is enough. */
function bar(cost: string, largest: bigint): string {
  if (largest <= 0n) return "";
  const units = attodollarsFromText(cost);
  if (units <= 0n) return "";
  const length = Number((units * BigInt(BAR_WIDTH) + largest - 1n) / largest);
  return "#".repeat(Math.max(1, Math.min(BAR_WIDTH, length)));
}

const show = (value: string | null | undefined) => (value === null || value === undefined ? "(none)" : value);

/**
 * What a group's cost_usd is (cost_status in --json): "exact"; a "lower_bound" (some request's cost
 * is unknown, or a lower bound because the upstream did not report some usage); or "unpriced": not
 * one of its requests could be priced, so its cost is unknown and its cost_usd of "0" is no figure.
 */
export type CostStatus = "exact" | "lower_bound" | "unpriced";

export function costStatus(group: SpendGroup): CostStatus {
  if (group.unpriced_requests > 0 && group.unpriced_requests === group.requests) return "unpriced";
  return group.inexact_requests > 0 ? "lower_bound" : "exact";
}

/** The cost as the table shows it: "unpriced" for an unknown cost, never "$0"; "≥ $X" for a lower bound. */
function costCell(group: SpendGroup): string {
  const status = costStatus(group);
  if (status === "unpriced") return "unpriced";
  return `${status === "lower_bound" ? "≥ " : ""}$${group.cost_usd}`;
}

export function renderSpend(
  fields: GroupField[],
  groups: SpendGroup[],
  total: SpendGroup,
  tagKey: string | undefined,
  /** cost_on_each_deployment of each group and of the total */
  onDeployments: { groups: Record<string, string>[]; total: Record<string, string> },
  /** unpriced_on_each_deployment: the partial figures, with how many requests each could not price */
  unpricedOn: { groups: Record<string, number>[]; total: Record<string, number> },
  keyNames: ReadonlyMap<string, string> = new Map(),
  /** unpriced_served_on_each_deployment: requests each deployment served that could not be priced */
  unpricedServed: { groups: ServedOnDeployments[]; total: ServedOnDeployments } = { groups: [], total: { unpriced: {}, requests: {} } },
): string {
  const headers = fields.map((field) => (field === "tag" ? `tag ${tagKey ?? ""}`.trim() : field));
  const largest = groups.reduce((max, group) => {
    const units = attodollarsFromText(group.cost_usd);
    return units > max ? units : max;
  }, 0n);
  const numbers = (group: SpendGroup) => [
    groupDigits(group.requests),
    groupDigits(group.errors),
    costCell(group),
    groupDigits(group.inexact_requests),
    groupDigits(group.input_tokens),
    groupDigits(group.output_tokens),
    groupDigits(group.cache_write_tokens),
    groupDigits(group.cache_read_tokens),
  ];
  const label = (field: GroupField, value: string | null | undefined): string => {
    const name = field === "key" && value ? keyNames.get(value) : undefined;
    return name === undefined ? show(value) : `${name} (${value})`;
  };
  const labels = (group: SpendGroup) => fields.map((field) => label(field, group.group[field]));
  const totalLabels = fields.map((_, index) => (index === 0 ? "total" : ""));
  const rows = groups.map((group) => [...labels(group), ...numbers(group), bar(group.cost_usd, largest)]);
  if (groups.length > 1) rows.push([...totalLabels, ...numbers(total), ""]);
  const right = new Set(Array.from({ length: 8 }, (_, index) => fields.length + index));
  let text = renderTable([...headers, "requests", "errors", "cost", "inexact", "input", "output", "cache write", "cache read", ""], rows, right);
  const lowerBound = total.inexact_requests - total.unpriced_requests;
  if (lowerBound > 0) {
    text += `\n${groupDigits(lowerBound)} request(s) had usage the upstream did not report: their cost is a lower bound (≥).\n`;
    // What budgets (and keys list) count: the upper bound of each such cost where one is known.
    if (total.charged_usd !== total.cost_usd) text += `Budgets count $${total.charged_usd} (the upper bound of those costs where one is known; charged_usd in --json).\n`;
  }
  if (total.unpriced_requests > 0) {
    text += `${lowerBound > 0 ? "" : "\n"}${groupDigits(total.unpriced_requests)} request(s) could not be priced: their cost is unknown and in no total above, so a cost beside them is a lower bound (≥), or "unpriced" where none of a row's requests could be priced (their rows' warnings say why).\n`;
  }

  // Only worth a table when some request had an alternative deployment.
  if (Object.keys(total.shadow_costs).length > 0) {
    const deployments = Object.keys(onDeployments.total);
    // A figure that leaves out requests the deployment could not price is a lower bound: "≥", never a total to compare.
    // The figures compare the priced requests (as cost_usd sums them); a deployment whose figure counts
    // none, only requests it served that could not be priced, has no figure: "unpriced", not "$0".
    const cells = (group: SpendGroup, costs: Record<string, string>, unpriced: Record<string, number>, served: Record<string, number>, servedRequests: Record<string, number>) =>
      deployments.map((deployment) => {
        if (costs[deployment] === undefined) return "-";
        const unknown = served[deployment] ?? 0;
        if (unknown > 0 && unknown === (servedRequests[deployment] ?? 0) && (group.shadow_requests[deployment] ?? 0) === 0) return "unpriced";
        return `${unpriced[deployment] ? "≥ " : ""}$${costs[deployment]}`;
      });
    const deploymentRows = groups.map((group, index) => [
      ...labels(group),
      costCell(group),
      ...cells(group, onDeployments.groups[index] ?? {}, unpricedOn.groups[index] ?? {}, unpricedServed.groups[index]?.unpriced ?? {}, unpricedServed.groups[index]?.requests ?? {}),
    ]);
    if (groups.length > 1) deploymentRows.push([...totalLabels, costCell(total), ...cells(total, onDeployments.total, unpricedOn.total, unpricedServed.total.unpriced, unpricedServed.total.requests)]);
    text +=
      "\nThe same requests on each deployment (actual cost where served, shadow cost where it could have served them;\n" +
      "a column leaves out requests for models that deployment does not offer: --by requested_model compares like for like):\n" +
      renderTable([...headers, "actual", ...deployments], deploymentRows, new Set(Array.from({ length: deployments.length + 1 }, (_, index) => fields.length + index)));
    const partial = Object.entries(unpricedOn.total);
    if (partial.length > 0) {
      const counts = partial.map(([deployment, requests], index) => `${groupDigits(requests)}${index === 0 ? " request(s)" : ""} on ${deployment}`).join(", ");
      text +=
        "\n≥ marks a lower bound, not a total to compare: a deployment that could not price some of the requests (no price there\n" +
        `for something they used) leaves them out of its figure: ${counts} (unpriced_on_each_deployment in --json).\n`;
    }
  }
  return text;
}

export const spendCommand: Command = {
  name: "spend",
  summary: "what the gateway's traffic cost: by day, key, model, provider, deployment or tag",
  help,
  async run({ argv, stdout, stderr, env }) {
    const { values } = parseFlags(
      argv,
      {
        by: { type: "string" },
        "tag-key": { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        key: { type: "string" },
        ...ledgerFlags,
        json: { type: "boolean" },
      },
      "spend",
    );
    const fields = parseGroupBy(values.by);
    const tagKey = values["tag-key"];
    if (fields.includes("tag") && (tagKey === undefined || tagKey.length === 0)) throw new UsageError("--tag-key is required with --by tag", "e.g. --by tag --tag-key team");
    if (!fields.includes("tag") && tagKey !== undefined) throw new UsageError("--tag-key only applies with --by tag");
    if (tagKey !== undefined && !TAG_KEY.test(tagKey)) throw new UsageError(`--tag-key: ${JSON.stringify(tagKey)} is not a tag key (1 to 64 letters, digits or _ . : -)`, "e.g. --by tag --tag-key team");
    const fromDay = dateFlag(values.from, "from");
    const toDay = dateFlag(values.to, "to");
    const from = fromDay === undefined ? undefined : Date.parse(`${fromDay}T00:00:00Z`);
    // --to names the last day counted; the store's `to` is exclusive.
    const to = toDay === undefined ? undefined : Date.parse(`${toDay}T00:00:00Z`) + DAY_MS;
    if (from !== undefined && to !== undefined && from >= to) throw new UsageError(`--from ${fromDay} is after --to ${toDay}`);

    const ledger = await openCommandLedger(values, env, { create: false, command: "spend" });
    try {
      // The key store is read once, and only for --key or --by key.
      const keys = values.key !== undefined || fields.includes("key") ? await ledger.keys.list() : [];
      let keyId: string | undefined;
      if (values.key !== undefined) {
        const chosen = keys.find((key) => key.id === values.key) ?? keys.find((key) => key.name === values.key && key.revoked_at === null) ?? keys.find((key) => key.name === values.key);
        keyId = chosen?.id;
        // Keys are revoked, never deleted: every key a row names is listed, so a miss is a typo, not an empty report.
        if (keyId === undefined) throw new UsageError(`--key: no key with id or name ${JSON.stringify(values.key)} in this ledger`, "`switchyard keys list` shows them");
        // A name reused after a revocation names several keys: say which one this is, and how to see the others.
        const namesakes = chosen?.id === values.key ? [] : keys.filter((key) => key.name === values.key && key.id !== keyId);
        if (namesakes.length > 0) stderr.write(`note: --key ${values.key} is ${keyId}; ${namesakes.length} other key(s) had that name (${namesakes.map((key) => key.id).join(", ")}): give an id to see one of them\n`);
      }
      // Keys are shown by name too (rows keep the id: a name can be reused after a revocation).
      const keyNames = new Map(keys.map((key) => [key.id, key.name]));
      const query: SpendQuery = { group_by: fields, from, to, key_id: keyId, tag_key: tagKey };
      // One report, by the --by fields, requested model and deployment (one scan, one snapshot): the
      // groups roll up from it, and it gives both the costs on each deployment and which of them are
      // partial (a deployment that could not price some of a model's requests).
      const byModelAndDeployment = await ledger.store.spend({ ...query, group_by: [...fields, "requested_model", "deployment"] });
      const groups = inReportOrder(fields, rollUp(byModelAndDeployment, fields));
      const total = totalOf(groups);
      const byDeployment = rollUp(byModelAndDeployment, [...fields, "deployment"]);
      const onDeployments = costOnEachDeployment(fields, groups, byDeployment);
      const unpricedOn = unpricedOnEachDeployment(fields, groups, byModelAndDeployment);
      const servedOn = servedOnEachDeployment(fields, groups, byDeployment);
      // The total is one group more, grouped by no field.
      const totalByDeployment = rollUp(byModelAndDeployment, ["deployment"]);
      const [totalOnDeployments = {}] = costOnEachDeployment([], [total], totalByDeployment);
      const [totalUnpricedOn = {}] = unpricedOnEachDeployment([], [total], byModelAndDeployment);
      const [totalServedOn = { requests: {}, unpriced: {} }] = servedOnEachDeployment([], [total], totalByDeployment);
      if (values.json) {
        writeJson(stdout, {
          // The days asked for, not the store's instants: the exclusive end after --to 9999-12-31 is
          // +010000-01-01, an expanded year that most date parsers refuse.
          from: fromDay ?? null,
          to: toDay ?? null,
          group_by: fields,
          tag_key: tagKey ?? null,
          key_id: keyId ?? null,
          groups: groups.map((group, index) => ({
            ...group,
            cost_status: costStatus(group),
            ...(fields.includes("key") ? { key_name: keyNames.get(group.group.key ?? "") ?? null } : {}),
            cost_on_each_deployment: onDeployments[index] ?? {},
            unpriced_on_each_deployment: unpricedOn[index] ?? {},
            unpriced_served_on_each_deployment: servedOn[index]?.unpriced ?? {},
          })),
          total: {
            ...total,
            cost_status: costStatus(total),
            cost_on_each_deployment: totalOnDeployments,
            unpriced_on_each_deployment: totalUnpricedOn,
            unpriced_served_on_each_deployment: totalServedOn.unpriced,
          },
        });
      } else if (groups.length === 0) {
        stdout.write(`no requests in the ledger${fromDay || toDay ? ` from ${fromDay ?? "the start"} to ${toDay ?? "now"}` : ""}${keyId ? ` for key ${values.key}` : ""}\n`);
      } else {
        stdout.write(renderSpend(fields, groups, total, tagKey, { groups: onDeployments, total: totalOnDeployments }, { groups: unpricedOn, total: totalUnpricedOn }, keyNames, { groups: servedOn, total: totalServedOn }));
      }
      return 0;
    } finally {
      await ledger.close();
    }
  },
};
