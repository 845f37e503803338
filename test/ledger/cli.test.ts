/** `switchyard keys` and `switchyard spend` as a user runs them: the built bin, real files, exit codes. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { escapeRegExp } from "../helpers/escape-regexp.js";
import { BIN } from "../helpers/paths.js";
import { openLedger } from "../../src/ledger/open-ledger.js";
import { redactedUrl } from "../../src/util/redacted-url.js";
import { DAY, HOUR, JAN_1_2026, sampleRow } from "./sample-rows.js";
import { postgresTestLedger, sqliteTestLedger, type TestLedger } from "./test-ledgers.js";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, SWITCHYARD_DB: "", ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same as run, several at once: each start of the CLI costs about half a second. */
function runAsync(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, SWITCHYARD_DB: "" } }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

async function expectUsageErrors(cases: [string[], RegExp][]): Promise<void> {
  const results = await Promise.all(cases.map(([args]) => runAsync(args)));
  cases.forEach(([args, message], index) => {
    const result = results[index] as Run;
    assert.equal(result.status, 2, `${args.join(" ")} -> ${result.status}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(" "));
  });
}

function json<T>(result: Run): T {
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

describe("switchyard keys", () => {
  const ledger = sqliteTestLedger();
  const db = ["--db", (ledger.config as { path: string }).path];
  after(() => ledger.cleanup());

  test("create prints the secret once; list never shows it; the file holds only its hash", () => {
    const created = json<{ id: string; name: string; secret: string; tags: Record<string, string>; allowed_models: string[]; monthly_budget_usd: string }>(
      run(["keys", "create", "--name", "search", "--models", "claude-sonnet-4-5,claude-haiku-4-5", "--tag", "team=search", "--tag", "env=prod", "--budget-usd", "100.50", "--json", ...db]),
    );
    assert.match(created.secret, /^sk-sy-[0-9A-Za-z]{32}$/);
    assert.deepEqual([created.name, created.tags, created.allowed_models, created.monthly_budget_usd], ["search", { team: "search", env: "prod" }, ["claude-sonnet-4-5", "claude-haiku-4-5"], "100.5"]);

    const listedJson = run(["keys", "list", "--json", ...db]);
    const listed = json<{ id: string; name: string; month_spend_usd: string; revoked_at: string | null }[]>(listedJson);
    assert.deepEqual(listed.map((key) => [key.id, key.name, key.month_spend_usd, key.revoked_at]), [[created.id, "search", "0", null]]);
    const table = run(["keys", "list", ...db]);
    assert.equal(table.status, 0);
    assert.match(table.stdout, /search\s+sk-sy-\w{4}…/);
    const random = created.secret.slice("sk-sy-".length);
    for (const output of [listedJson.stdout, table.stdout]) assert.ok(!output.includes(random), "list must not print the secret");
    const files = [db[1] as string, `${db[1]}-wal`].map((file) => {
      try {
        return readFileSync(file).toString("latin1");
      } catch {
        return "";
      }
    });
    assert.ok(!files.join("").includes(random), "the database files must not contain the secret");
  });

  test("create refuses a --models name the catalog does not know (exit 2, with the closest), and creates no key", async () => {
    await expectUsageErrors([
      [["keys", "create", "--name", "typo", "--models", "claude-haiku-4-5,claude-sonet-4-6", ...db], /--models: "claude-sonet-4-6" is no model the catalog knows; closest known: claude-sonnet-4-6/],
      // Without --config the config's aliases cannot be known: the message says to give it.
      [["keys", "create", "--name", "typo", "--models", "team-alias", ...db], /--models: "team-alias" is no model the catalog knows.*\n.*give --config FILE so that its aliases count/],
    ]);
    assert.doesNotMatch(run(["keys", "list", ...db]).stdout, /typo/);
    const known = run(["keys", "create", "--name", "dated", "--models", "claude-haiku-4-5-20251001,us.anthropic.claude-sonnet-4-5-20250929-v1:0", ...db]);
    assert.equal(known.status, 0, known.stderr);
  });

  test("a text create tells the user to keep the secret", () => {
    const created = run(["keys", "create", "--name", "text-output", ...db]);
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /sk-sy-[0-9A-Za-z]{32}\n/);
    assert.match(created.stdout, /not shown again/);
  });

  test("a tag key takes the characters the x-switchyard-tags header takes, ':' included", () => {
    const created = json<{ tags: Record<string, string> }>(run(["keys", "create", "--name", "namespaced", "--tag", "k8s:namespace=search", "--json", ...db]));
    assert.deepEqual(created.tags, { "k8s:namespace": "search" });
  });

  test("revoke by name, then by id; revoking twice is done already (exit 0, saying when); a key that never was is an error", () => {
    const created = json<{ id: string }>(run(["keys", "create", "--name", "temporary", "--json", ...db]));
    const revoked = run(["keys", "revoke", "temporary", ...db]);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`revoked ${created.id} \\(temporary\\)`));
    const again = run(["keys", "revoke", created.id, ...db]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^${created.id} \\(temporary\\) was already revoked on \\d{4}-\\d{2}-\\d{2}T`));
    const againJson = json<{ revoked: string; already_revoked_at: string }>(run(["keys", "revoke", "temporary", "--json", ...db]));
    assert.equal(againJson.revoked, created.id);
    const never = run(["keys", "revoke", "never-created", ...db]);
    assert.equal(never.status, 2);
    assert.match(never.stderr, /no key with id or name "never-created"/);
    const listed = json<{ id: string; revoked_at: string | null }[]>(run(["keys", "list", "--json", ...db]));
    assert.ok(listed.find((key) => key.id === created.id)?.revoked_at);
  });

  test("bad input exits 2 and names the flag", async () => {
    const cases: [string[], RegExp][] = [
      [["keys", "create", "--name", "b", "--budget-usd", "lots", ...db], /--budget-usd/],
      [["keys", "create", "--name", "b", "--budget-usd", "-5", ...db], /--budget-usd/],
      [["keys", "create", "--name", "b", "--budget-usd", "1e3", ...db], /--budget-usd/],
      [["keys", "create", "--name", "b", "--tag", "team", ...db], /--tag must be key=value \(key: letters, digits, _ \. : -\)/],
      [["keys", "create", "--name", "b", "--tag", "team space=1", ...db], /--tag must be key=value/],
      [["keys", "create", "--name", "b", "--tag", "a=1", "--tag", "a=2", ...db], /--tag a is given twice/],
      [["keys", "create", "--name", "has space", ...db], /--name/],
      [["keys", "create", "--name", "search", ...db], /--name: an active key named "search" already exists/],
      [["keys", "create", ...db], /--name is required/],
      [["keys", "create", "--name", "x", "--colour", "red", ...db], /--colour/],
      [["keys", "list", "--db", "/nonexistent/ledger.db"], /--db|no ledger at/],
      [["keys", "list", "--db", "a.db", "--postgres", "postgres://x@y/z"], /--db and --postgres/],
      [["keys", "frobnicate", ...db], /unknown keys subcommand "frobnicate"/],
      [["keys", ...db], /create, list or revoke/],
      [["keys", "revoke", ...db], /id or name/],
    ];
    await expectUsageErrors(cases);
  });
});

describe("switchyard spend", () => {
  const ledger: TestLedger = sqliteTestLedger();
  const path = (ledger.config as { path: string }).path;
  let keyId = "";

  before(async () => {
    const created = json<{ id: string }>(run(["keys", "create", "--name", "ads-team", "--json", "--db", path]));
    keyId = created.id;
    const opened = await openLedger({ ...ledger.config, journal: false });
    await opened.store.insertBatch([
      sampleRow({ request_id: "c1", created_at: JAN_1_2026 + HOUR, key_id: keyId, tags: { team: "ads" }, cost_usd: "0.1", shadow_costs: { "bedrock-sonnet-us": "0.11" } }),
      sampleRow({ request_id: "c2", created_at: JAN_1_2026 + 2 * HOUR, key_id: keyId, tags: { team: "ads" }, cost_usd: "0.2", cost_exact: false, cost_usd_upper: "0.25", input_tokens: null, shadow_costs: { "bedrock-sonnet-us": "0.22" } }),
      sampleRow({ request_id: "c3", created_at: JAN_1_2026 + DAY, key_id: "key_other", tags: { team: "search" }, model: "claude-haiku-4-5", provider: "bedrock", cost_usd: "0.000003", status: 529, shadow_costs: {} }),
    ]);
    await opened.close();
  });
  after(() => ledger.cleanup());

  test("--json groups with exact money, tokens and shadow costs", () => {
    const report = json<{ groups: { group: Record<string, string | null>; requests: number; errors: number; cost_usd: string; inexact_requests: number; input_tokens: number; shadow_costs: Record<string, string> }[]; total: { cost_usd: string; requests: number; shadow_costs: Record<string, string>; cost_on_each_deployment: Record<string, string> } }>(
      run(["spend", "--db", path, "--by", "model", "--json"]),
    );
    assert.deepEqual(
      report.groups.map((group) => [group.group.model, group.requests, group.errors, group.cost_usd, group.inexact_requests, group.input_tokens, group.shadow_costs]),
      [
        ["claude-sonnet-4-5", 2, 0, "0.3", 1, 1200, { "bedrock-sonnet-us": "0.33" }],
        ["claude-haiku-4-5", 1, 1, "0.000003", 0, 1200, {}],
      ],
    );
    assert.equal(report.total.cost_usd, "0.300003");
    // served by anthropic-sonnet: actual 0.300003; the two sonnet requests on bedrock-sonnet-us: 0.11 + 0.22
    assert.deepEqual(report.total.cost_on_each_deployment, { "anthropic-sonnet": "0.300003", "bedrock-sonnet-us": "0.33" });
    assert.equal(report.total.requests, 3);
  });

  test("by day, by tag, by key name, and within dates", () => {
    const byDay = json<{ groups: { group: { day: string }; cost_usd: string }[] }>(run(["spend", "--db", path, "--json"]));
    assert.deepEqual(byDay.groups.map((group) => [group.group.day, group.cost_usd]), [["2026-01-01", "0.3"], ["2026-01-02", "0.000003"]]);
    const byTag = json<{ groups: { group: { tag: string }; cost_usd: string }[] }>(run(["spend", "--db", path, "--by", "tag", "--tag-key", "team", "--json"]));
    assert.deepEqual(byTag.groups.map((group) => [group.group.tag, group.cost_usd]), [["ads", "0.3"], ["search", "0.000003"]]);
    const byKeyName = json<{ key_id: string; total: { requests: number } }>(run(["spend", "--db", path, "--key", "ads-team", "--json"]));
    assert.deepEqual([byKeyName.key_id, byKeyName.total.requests], [keyId, 2]);
    // Grouped by key, each key is named as well as numbered (JSON and table).
    const byKey = json<{ groups: { group: { key: string | null }; key_name: string | null }[] }>(run(["spend", "--db", path, "--by", "key", "--json"]));
    assert.ok(byKey.groups.some((group) => group.group.key === keyId && group.key_name === "ads-team"), JSON.stringify(byKey.groups));
    assert.match(run(["spend", "--db", path, "--by", "key"]).stdout, new RegExp(`ads-team \\(${keyId}\\)`));
    const secondDay = json<{ total: { requests: number } }>(run(["spend", "--db", path, "--from", "2026-01-02", "--to", "2026-01-02", "--json"]));
    assert.equal(secondDay.total.requests, 1);
    const firstDay = json<{ total: { requests: number } }>(run(["spend", "--db", path, "--to", "2026-01-01", "--json"]));
    assert.equal(firstDay.total.requests, 2, "--to is inclusive");
  });

  test("requests that could not be priced are counted apart: their cost is unknown, in no total, and the report says so", async () => {
    const other = sqliteTestLedger();
    try {
      const otherPath = (other.config as { path: string }).path;
      const opened = await openLedger({ ...other.config, journal: false });
      await opened.store.insertBatch([
        sampleRow({ request_id: "p1", created_at: JAN_1_2026 + HOUR, cost_usd: "0.1" }),
        sampleRow({ request_id: "u1", created_at: JAN_1_2026 + 2 * HOUR, cost_usd: null, cost_exact: false, warnings: ["could not price: no price for x on 2026-01-01"] }),
      ]);
      await opened.close();
      const report = json<{ total: { requests: number; cost_usd: string; inexact_requests: number; unpriced_requests: number; input_tokens: number } }>(run(["spend", "--db", otherPath, "--json"]));
      assert.deepEqual(
        [report.total.requests, report.total.cost_usd, report.total.inexact_requests, report.total.unpriced_requests, report.total.input_tokens],
        [2, "0.1", 1, 1, 2400],
        "the usage of both counts; the cost of the unpriced one is in no total",
      );
      const table = run(["spend", "--db", otherPath]);
      assert.equal(table.status, 0, table.stderr);
      assert.match(table.stdout, /\n1 request\(s\) could not be priced: their cost is unknown and in no total above/);
      assert.doesNotMatch(table.stdout, /did not report/, "not blamed on unreported usage");
    } finally {
      other.cleanup();
    }
  });

  test("the table shows costs, bars, a total and the shadow costs", () => {
    const result = run(["spend", "--by", "provider"], { SWITCHYARD_DB: path });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /anthropic\s+2\s+0\s+≥ \$0\.3\s+1\s.*#{20}/);
    assert.match(result.stdout, /bedrock\s+1\s+1\s+\$0\.000003\s+0\s.*\s#\n/);
    assert.match(result.stdout, /total\s+3\s+1\s+≥ \$0\.300003/);
    assert.match(result.stdout, /lower bound \(≥\)\.\nBudgets count \$0\.350003 \(the upper bound of those costs where one is known; charged_usd in --json\)\.\n/);
    assert.match(result.stdout, /The same requests on each deployment[\s\S]*provider\s+actual\s+anthropic-sonnet\s+bedrock-sonnet-us\n/);
    assert.match(result.stdout, /anthropic\s+≥ \$0\.3\s+\$0\.3\s+\$0\.33\n/);
    assert.match(result.stdout, /bedrock\s+\$0\.000003\s+\$0\.000003\s+-\n/);
  });

  test("bad input exits 2 and names the flag", async () => {
    const cases: [string[], RegExp][] = [
      [["spend", "--db", path, "--by", "colour"], /--by must be one of/],
      [["spend", "--db", path, "--by", "tag"], /--tag-key is required/],
      [["spend", "--db", path, "--tag-key", "team"], /--tag-key only applies/],
      [["spend", "--db", path, "--by", "key,day,key"], /--by names key twice: give each field once/],
      [["spend", "--db", path, "--by", "tag", "--tag-key", "bad key!"], /--tag-key: "bad key!" is not a tag key/],
      [["spend", "--db", path, "--from", "2026-13-01"], /--from: 2026-13-01 is not a day of the calendar/],
      [["spend", "--db", path, "--from", "2026-1-01"], /--from must be a date as YYYY-MM-DD/],
      [["spend", "--db", path, "--to", "2026-02-31"], /--to: 2026-02-31 is not a day of the calendar/],
      [["spend", "--db", path, "--from", "2026-02-01", "--to", "2026-01-01"], /--from 2026-02-01 is after --to/],
      [["spend", "--db", join(ledger.dir, "missing.db")], /no ledger at/],
      [["spend", "--db", path, "--postgres", "http://nope"], /--db and --postgres/],
      [["spend", "--postgres", "mysql://x"], /--postgres must be a URL/],
      [["spend", "--db", path, "--schema", "x"], /--schema applies to a PostgreSQL ledger/],
      [["spend", "--db", path, "--bogus"], /--bogus/],
      [["spend", "--db", path, "--key", "ads-teem"], /--key: no key with id or name "ads-teem" in this ledger/],
    ];
    await expectUsageErrors(cases);
  });
});

test("keys and spend on PostgreSQL with --postgres and --schema", async () => {
  const ledger = postgresTestLedger();
  try {
    const config = ledger.config as { url: string; schema: string };
    const where = ["--postgres", config.url, "--schema", config.schema];
    const created = json<{ id: string }>(run(["keys", "create", "--name", "pg-team", "--budget-usd", "5", "--json", ...where]));
    const opened = await openLedger({ ...ledger.config, journal: false });
    await opened.store.insertBatch([
      sampleRow({ request_id: "p1", key_id: created.id, created_at: Date.now(), cost_usd: "0.1" }),
      sampleRow({ request_id: "p2", key_id: created.id, created_at: Date.now(), cost_usd: "0.2" }),
    ]);
    await opened.close();
    const listed = json<{ name: string; month_spend_usd: string; monthly_budget_usd: string }[]>(run(["keys", "list", "--json", ...where]));
    assert.deepEqual(listed.map((key) => [key.name, key.month_spend_usd, key.monthly_budget_usd]), [["pg-team", "0.3", "5"]]);
    const report = json<{ total: { cost_usd: string } }>(run(["spend", "--by", "key", "--json", ...where]));
    assert.equal(report.total.cost_usd, "0.3");
    assert.equal(run(["keys", "revoke", "pg-team", ...where]).status, 0);
    // A mistyped schema is an error that names it, and is not created by a command that only reads.
    const typo = `${config.schema}_typo`;
    const typoWhere = ["--postgres", config.url, "--schema", typo];
    await expectUsageErrors([
      [["spend", ...typoWhere], new RegExp(`no ledger at PostgreSQL ${escapeRegExp(redactedUrl(config.url))}, schema ${typo} \\(schema ${typo} holds no Switchyard ledger\\).*point --postgres and --schema`)],
      [["keys", "list", ...typoWhere], /no ledger at PostgreSQL postgres:\/\/\S+, schema /],
    ]);
    const pool = new pg.Pool({ connectionString: config.url });
    try {
      const schemas = await pool.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [typo]);
      assert.equal(schemas.rowCount, 0, "no schema was made");
    } finally {
      await pool.end();
    }
  } finally {
    await ledger.cleanup();
  }
});

test("a SQLite file that holds no ledger is an error for a command that only reads, and is left as it was", () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-not-a-ledger-"));
  try {
    const path = join(dir, "other.db");
    writeFileSync(path, "");
    const result = run(["spend", "--db", path]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /no ledger at .*other\.db \(the file holds no Switchyard ledger\).*point --db/);
    assert.equal(statSync(path).size, 0, "not a byte was written to it (no tables, not even WAL mode)");
    assert.equal(existsSync(`${path}-wal`), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("spend --key NAME with a revoked namesake: the active key, and a note naming the other", () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-namesake-"));
  try {
    const db = ["--db", join(dir, "ledger.db")];
    const first = json<{ id: string }>(run(["keys", "create", "--name", "reused", "--json", ...db]));
    assert.equal(run(["keys", "revoke", "reused", ...db]).status, 0);
    const second = json<{ id: string }>(run(["keys", "create", "--name", "reused", "--json", ...db]));
    const byName = run(["spend", "--key", "reused", ...db]);
    assert.equal(byName.status, 0, byName.stderr);
    assert.equal(byName.stderr, `note: --key reused is ${second.id}; 1 other key(s) had that name (${first.id}): give an id to see one of them\n`);
    const byId = run(["spend", "--key", first.id, ...db]);
    assert.equal(byId.status, 0, byId.stderr);
    assert.equal(byId.stderr, "", "an id names one key");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("keys and spend --config use the ledger the gateway's config names (a relative path is relative to the config file), and say when they create one", async () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-cli-config-"));
  const elsewhere = mkdtempSync(join(tmpdir(), "switchyard-cli-cwd-"));
  try {
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      [
        "ledger: { kind: sqlite, path: team-ledger.db }",
        "providers:",
        "  direct: { kind: anthropic, api_key_env: ANTHROPIC_API_KEY }",
        "deployments:",
        "  - { id: haiku, provider: direct, model: claude-haiku-4-5, route: global }",
        "models:",
        "  haiku: [haiku]",
        "",
      ].join("\n"),
    );
    // Run from another directory: the file still lands next to the config, where serve would put it.
    const created = spawnSync(process.execPath, [BIN, "keys", "create", "--name", "carol", "--config", config], { encoding: "utf8", cwd: elsewhere, env: { ...process.env, SWITCHYARD_DB: "" } });
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stderr, new RegExp(`created a new ledger at ${join(dir, "team-ledger.db").replaceAll(".", "\\.")}`));
    assert.equal(existsSync(join(elsewhere, "switchyard.db")), false, "no stray ledger in the working directory");
    const listed = json<{ name: string }[]>(run(["keys", "list", "--json", "--config", config]));
    assert.deepEqual(listed.map((key) => key.name), ["carol"]);
    const again = run(["keys", "create", "--name", "dave", "--config", config]);
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /created a new ledger/);
    const spend = run(["spend", "--config", config, "--json"]);
    assert.equal(spend.status, 0, spend.stderr);
    // With --config, its aliases are names a key may be given; a misspelt one is refused with the alias it is close to.
    const aliased = run(["keys", "create", "--name", "erin", "--models", "haiku,claude-haiku-4-5", "--config", config]);
    assert.equal(aliased.status, 0, aliased.stderr);
    // The config's catalog_files make the catalog --models is checked against, and a bad one is told as serve tells it.
    const withCatalog = join(dir, "with-catalog.yaml");
    writeFileSync(withCatalog, `${readFileSync(config, "utf8")}catalog_files: [missing-prices.yaml]\n`);
    await expectUsageErrors([
      [["spend", "--config", config, "--db", "x.db"], /--config names the gateway's ledger: leave out --db/],
      [["keys", "list", "--config", join(dir, "missing.yaml")], /--config: cannot read .*missing\.yaml/],
      [["keys", "create", "--name", "frank", "--models", "haikuu", "--config", config], /--models: "haikuu" is no model the catalog knows nor a name .*gateway\.yaml defines \(did you mean "haiku"\?\)/],
      [["keys", "create", "--name", "gina", "--models", "haiku", "--config", withCatalog], /with-catalog\.yaml:8: catalog_files \(relative to the config file\): 1 error\(s\):\n.*missing-prices\.yaml: error: cannot read/],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test("a database that refuses connections is one line on stderr and exit 1, not a stack trace", () => {
  const result = run(["spend", "--postgres", "postgres://nobody@127.0.0.1:9/none"]);
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /^switchyard spend: --postgres: cannot reach PostgreSQL at postgres:\/\/nobody@127\.0\.0\.1:9\/none: connect ECONNREFUSED 127\.0\.0\.1:9\n$/);
});
