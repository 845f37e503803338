/**
 * The PostgreSQL pool (src/ledger/postgres/connection.ts): a pooled connection the server drops
 * while idle (a restart, a failover) is reported and replaced; unhandled, pg's 'error' event
 * would end the gateway.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { eventually } from "../helpers/eventually.js";
import { openPool } from "../../src/ledger/postgres/connection.js";
import { POSTGRES_URL, postgresUnreachable } from "./test-ledgers.js";

test("an idle connection the server terminates is reported, and the pool serves the next query", async () => {
  const reported: Error[] = [];
  const pool = openPool(POSTGRES_URL, (error) => reported.push(error));
  try {
    // Two connections at once, so the one that kills is not the one killed.
    const connect = () => pool.connect().catch((error: unknown) => Promise.reject(postgresUnreachable(error)));
    const [victim, killer] = [await connect(), await connect()];
    const pid = (await victim.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
    victim.release(); // idle in the pool now
    try {
      await killer.query("SELECT pg_terminate_backend($1)", [pid]);
    } finally {
      killer.release();
    }
    const first = await eventually(() => reported[0], "the pool reports the lost connection", 3_000);
    assert.match(first.message, /PostgreSQL connection lost/);
    assert.equal((await pool.query<{ one: number }>("SELECT 1 AS one")).rows[0]?.one, 1);
  } finally {
    await pool.end();
  }
});
