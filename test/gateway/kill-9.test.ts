/**
 * "A request whose response completed is never lost if the process is killed": run the real
 * `switchyard serve` as a child process, load it from 16 concurrent clients, SIGKILL it mid-load,
 * then open the ledger (which replays the journal) and look up every request the clients saw
 * complete.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import { newApiKey } from "../../src/ledger/api-keys.js";
import { openLedger } from "../../src/ledger/open-ledger.js";
import { BIN } from "../helpers/paths.js";

test("kill -9 under load loses no completed request", async () => {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-kill9-"));
  const emulator = await startAnthropicEmulator();
  const database = join(directory, "ledger.db");
  try {
    const setup = await openLedger({ kind: "sqlite", path: database, journal: false });
    const { secret, record } = newApiKey({ name: "load" });
    await setup.keys.create(record);
    await setup.close();
    const config = join(directory, "gateway.yaml");
    writeFileSync(
      config,
      `listen: { host: 127.0.0.1, port: 0 }
ledger: { kind: sqlite, path: ${JSON.stringify(database)} }
warm_up: { requests: 0 }
providers:
  emulator: { kind: anthropic, base_url: "${emulator.url}", api_key_env: KILL9_EMULATOR_KEY }
deployments:
  - { id: haiku, provider: emulator, model: claude-haiku-4-5, route: global }
`,
    );
    // NODE_TEST_CONTEXT would make the child node process talk to the test runner instead of serving.
    const { NODE_TEST_CONTEXT: _context, ...environment } = process.env;
    const child = spawn(process.execPath, [BIN, "serve", "--config", config], {
      env: { ...environment, KILL9_EMULATOR_KEY: "sk-emulator" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let output = "";
      const timer = setTimeout(() => reject(new Error(`gateway did not start: ${output}`)), 15_000);
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/[^\s]+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.once("exit", (code) => reject(new Error(`gateway exited with ${code}: ${output}`)));
    });

    const completed: string[] = [];
    let killed = false;
    const worker = async (worker: number) => {
      for (let index = 0; !killed; index += 1) {
        try {
          const response = await fetch(`${url}/v1/messages`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-api-key": secret, "anthropic-version": "2023-06-01" },
            body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 20, messages: [{ role: "user", content: `worker ${worker} request ${index}` }] }),
          });
          const body = (await response.json()) as { type?: string };
          // Completed: the whole body arrived. Only these must be in the ledger.
          if (response.status === 200 && body.type === "message") completed.push(response.headers.get("request-id") ?? "");
        } catch {
          // the gateway died mid-request: not completed, so not required to be in the ledger
          return;
        }
      }
    };
    const workers = Array.from({ length: 16 }, (_, index) => worker(index));
    const giveUpAt = Date.now() + 30_000;
    while (completed.length < 300 && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 20));
    // Listen for the exit before killing: it may fire while the workers are still winding down.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    killed = true;
    await Promise.all(workers);
    await exited;
    assert.ok(completed.length >= 300, `only ${completed.length} requests completed in 30 s before the kill`);

    const ledger = await openLedger({ kind: "sqlite", path: database });
    try {
      await ledger.writer.flush();
      const missing: string[] = [];
      for (const requestId of completed) {
        const row = await ledger.store.get(requestId);
        if (!row || row.status !== 200 || row.cost_usd === null || row.output_tokens === null) missing.push(requestId);
      }
      assert.deepEqual(missing, [], `${missing.length} of ${completed.length} completed requests are missing or incomplete in the ledger`);
    } finally {
      await ledger.close();
    }
  } finally {
    await emulator.close();
    rmSync(directory, { recursive: true, force: true });
  }
});
