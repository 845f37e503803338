/**
 * A PostgreSQL ledger URL the server refuses (no such database, no such role) is bad input naming
 * --postgres, exit 2, with the password redacted; it used to print pg's error with a stack, exit 1,
 * as if a bug. Needs the test PostgreSQL (test/ledger/test-ledgers.ts); skipped where it is not running.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { POSTGRES_URL } from "../ledger/test-ledgers.js";
import { runCli } from "./run-cli.js";

function withDatabase(database: string, user?: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  if (user !== undefined) {
    url.username = user;
    url.password = "not-the-password";
  }
  return url.toString();
}

test("spend and keys: a database or role the server does not have is bad input naming --postgres", async (context) => {
  const noDatabase = await runCli(["spend", "--postgres", withDatabase("switchyard_no_such_database")]);
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(noDatabase.stderr)) {
    context.skip(`no test PostgreSQL at ${POSTGRES_URL}`);
    return;
  }
  assert.equal(noDatabase.code, 2, noDatabase.stderr);
  assert.match(noDatabase.stderr, /^switchyard spend: --postgres: PostgreSQL at postgres:\/\/\S+\/switchyard_no_such_database refused: database "switchyard_no_such_database" does not exist \(SQLSTATE 3D000\)\ncheck the user, password and database name in the URL\n$/);
  const noRole = await runCli(["keys", "list", "--postgres", withDatabase("test", "switchyard_no_such_role")]);
  assert.equal(noRole.code, 2, noRole.stderr);
  assert.match(noRole.stderr, /^switchyard keys: --postgres: PostgreSQL at postgres:\/\/switchyard_no_such_role:\*\*\*@\S+ refused: .*\(SQLSTATE 28[0-9A-Z]{3}\)\n/);
  assert.doesNotMatch(noRole.stderr, /not-the-password|\n\s+at /, "no password, no stack");
});

test("a PostgreSQL server that cannot be reached is a failure, exit 1, naming --postgres, the password redacted", async () => {
  // Nothing listens on this port of the helper's range.
  const result = await runCli(["spend", "--postgres", "postgres://someone:hunter2@127.0.0.1:10199/ledger"]);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr, "switchyard spend: --postgres: cannot reach PostgreSQL at postgres://someone:***@127.0.0.1:10199/ledger: connect ECONNREFUSED 127.0.0.1:10199\n");
});

test("a --postgres URL pg cannot read (port 99999) is bad input, exit 2, not a server out of reach with a stack", async () => {
  const result = await runCli(["spend", "--postgres", "postgres://someone:hunter2@127.0.0.1:99999/ledger"]);
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr, "switchyard spend: --postgres: the PostgreSQL URL is not one pg can read (Invalid URL)\ne.g. postgres://user:password@host:5432/database (a port from 1 to 65535)\n");
});
