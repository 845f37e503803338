/**
 * `switchyard serve` and its config: a config whose shared state it cannot reach is refused before
 * it starts (exit 2, a message naming the setting and what to do); `ledger.journal_dir` is where
 * the journal goes; on one CPU it suggests single-threaded GC; it names its shared state, never a password.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { escapeRegExp } from "../helpers/escape-regexp.js";
import { BIN } from "../helpers/paths.js";
import { REDIS_URL } from "../helpers/redis.js";
import { POSTGRES_URL } from "../ledger/test-ledgers.js";
import pg from "pg";
import { WARM_UP_REQUESTS } from "../../src/config/gateway-config.js";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import { newApiKey } from "../../src/ledger/api-keys.js";
import { openLedger } from "../../src/ledger/open-ledger.js";

/** `launcher`: the command and arguments before the script (node itself by default; e.g. taskset). */
function serve(configText: string, env: Record<string, string> = {}, port = 0, launcher: string[] = [process.execPath]): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-serve-errors-"));
  try {
    const config = join(dir, "gateway.yaml");
    writeFileSync(config, `ledger: { kind: sqlite, path: ${JSON.stringify(join(dir, "ledger.db"))} }\n${configText}`);
    const [command = process.execPath, ...before] = launcher;
    const result = spawnSync(command, [...before, BIN, "serve", "--config", config, "--port", String(port)], { env: childEnv({ TEST_KEY: "sk-test", ...env }), encoding: "utf8", timeout: 60_000 });
    return { status: result.status, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves with `value` after `ms`, without keeping the test process alive meanwhile (for races with a child's exit). */
function settleAfter<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}

/**
 * The environment a serve child gets: this one's, without NODE_TEST_CONTEXT (the child would talk
 * to the test runner instead of serving), SWITCHYARD_DB, REDIS_URL, or provider credentials (which
 * would switch npm start's demo mode to real providers), plus `extra`.
 */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _context, REDIS_URL: _redis, SWITCHYARD_DB: _db, ANTHROPIC_API_KEY: _anthropic, AWS_ACCESS_KEY_ID: _aws, AWS_PROFILE: _profile, AWS_BEARER_TOKEN_BEDROCK: _bearer, ...inherited } = process.env;
  return { ...inherited, ...extra };
}

/** A serve child whose stdout and stderr are gathered in one text; `waitFor` polls it for up to 20 s. */
function spawnServe(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }) {
  const child = spawn(process.execPath, [BIN, "serve", ...args], { env: options.env, stdio: ["ignore", "pipe", "pipe"], ...(options.cwd ? { cwd: options.cwd } : {}) });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const served = {
    child,
    exited,
    output: "",
    async waitFor(pattern: RegExp): Promise<void> {
      const deadline = Date.now() + 20_000;
      while (!pattern.test(served.output) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
  child.stdout.setEncoding("utf8").on("data", (text: string) => (served.output += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (served.output += text));
  return served;
}

/** Runs `run` with a port on 127.0.0.1 that another server holds. */
async function withTakenPort(run: (port: number) => void | Promise<void>): Promise<void> {
  const holder = createServer();
  holder.listen(0, "127.0.0.1");
  await once(holder, "listening");
  try {
    await run((holder.address() as AddressInfo).port);
  } finally {
    holder.close();
  }
}

const BASE = `providers:
  a: { kind: anthropic, api_key_env: TEST_KEY }
deployments:
  - { id: d, provider: a, model: claude-haiku-4-5, route: global }
`;

test("a redis section without its URL in the environment: exit 2, naming the variable", () => {
  const { status, stderr } = serve(`${BASE}redis: { url_env: SHARED_STATE_URL }\n`);
  assert.equal(status, 2, stderr);
  assert.match(stderr, /redis: set SHARED_STATE_URL to the Redis URL .*or remove the redis section/);
});

test("a port already taken, with Redis connected: serve exits with the error instead of hanging on its open connections", async () => {
  await withTakenPort((port) => {
    const { status, stderr } = serve(`${BASE}listen: { host: 127.0.0.1 }\nredis: { url_env: SHARED_STATE_URL }\n`, { SHARED_STATE_URL: REDIS_URL }, port);
    // Before the fix the Redis connections kept the process alive: spawnSync timed out (status null).
    assert.notEqual(status, null, "serve did not exit");
    assert.equal(status, 2, stderr);
    assert.match(stderr, new RegExp(`^switchyard serve: 127\\.0\\.0\\.1:${port} is already in use\nstop what listens there, or choose another port`, "m"));
    assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
  });
});

test("a listen host that is not this machine's, or does not resolve: exit 2, naming where it came from (listen.host in the config)", () => {
  const missing = serve(`${BASE}listen: { host: 192.0.2.1 }\n`);
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /^switchyard serve: cannot listen on 192\.0\.2\.1:0: 192\.0\.2\.1 is not an address of this machine \(listen\.host in the config\)\ngive 127\.0\.0\.1/m);
  // .invalid never resolves (RFC 6761); a resolver that cannot answer at all is a failure (exit 1), still naming the field.
  const unresolved = serve(`${BASE}listen: { host: no-such-host.invalid }\n`);
  assert.ok(unresolved.status === 2 || (unresolved.status === 1 && /EAI_AGAIN/.test(unresolved.stderr)), `${unresolved.status}: ${unresolved.stderr}`);
  assert.match(unresolved.stderr, /^switchyard serve: cannot listen on "?no-such-host\.invalid"? \(listen\.host in the config\): /m);
  assert.doesNotMatch(unresolved.stderr, /\n\s+at /, "no stack trace");
});

test("a negative budgets.refresh_ms: exit 2, naming the line and field", () => {
  const { status, stderr } = serve(`${BASE}budgets: { refresh_ms: -1 }\n`);
  assert.equal(status, 2, stderr);
  assert.match(stderr, /gateway\.yaml:6: budgets\.refresh_ms: expected at least 0, got -1\n/);
});

test("ledger.journal_dir puts the journal (and its lock) where the config says", async () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-serve-journal-"));
  const journal = join(dir, "replica-1-journal");
  const config = join(dir, "gateway.yaml");
  writeFileSync(config, `ledger: { kind: sqlite, path: ${JSON.stringify(join(dir, "ledger.db"))}, journal_dir: ${JSON.stringify(journal)} }\n${BASE}`);
  const child = spawn(process.execPath, [BIN, "serve", "--config", config, "--port", "0"], { env: childEnv({ TEST_KEY: "sk-test" }), stdio: ["ignore", "pipe", "pipe"] });
  try {
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (output += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (output += text));
    const deadline = Date.now() + 30_000;
    while (!output.includes("listening on") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(output, /listening on/);
    // Before it listens, serve warms up through the built-in emulators (gateway/warm-up.ts).
    assert.match(output, new RegExp(`warming up: ${WARM_UP_REQUESTS} requests through the built-in emulators`));
    assert.match(output, /warming up: \d+ requests through the built-in emulators[^\n]*\nwarmed up in \d+\.\d s\n[^]*listening on/);
    assert.ok(existsSync(join(journal, "journal.lock")), "the journal's lock is in journal_dir");
    assert.match(readFileSync(join(journal, "journal.owner"), "utf8"), new RegExp(`^pid ${child.pid} on host `));
    assert.equal(existsSync(join(dir, "ledger.db.journal")), false, "not in the default place");
    // Ctrl-C: it drains, says it has stopped, and exits 0.
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    assert.equal(await exited, 0, output);
    assert.match(output, /stopping[^]*\nstopped\n$/);
  } finally {
    child.kill("SIGINT");
    if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a bad warm_up: exit 2, naming the line and field", () => {
  const { status, stderr } = serve(`${BASE}warm_up: { requests: -5 }\n`);
  assert.equal(status, 2, stderr);
  assert.match(stderr, /gateway\.yaml:6: warm_up\.requests: expected at least 0, got -5\n/);
});

/** The first CPU this process may run on (Cpus_allowed_list: "0-1", "3,5-7"), for taskset. */
function firstAllowedCpu(): string {
  const list = /^Cpus_allowed_list:\s*(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"));
  return list?.[1] ?? "0";
}

test("with one CPU serve suggests starting it with --single-threaded-gc; not when it was, nor with more CPUs", async (t) => {
  if (spawnSync("taskset", ["-V"]).error) {
    t.skip("taskset (util-linux) is not installed");
    return;
  }
  // A port already taken ends each serve right after the hint would be printed (no warm-up).
  await withTakenPort((port) => {
    const config = `${BASE}listen: { host: 127.0.0.1 }\nwarm_up: { requests: 0 }\n`;
    const hint = /one CPU for this process: `node --single-threaded-gc bin\/switchyard serve`/;
    const oneCpu = ["taskset", "-c", firstAllowedCpu(), process.execPath];
    const started = (run: { stderr: string }, what: string): string => {
      // Each run got as far as listening: a hint that is missing is not a serve that died early.
      assert.match(run.stderr, /:\d+ is already in use\nstop what listens there/, `${what}: ${run.stderr}`);
      return run.stderr;
    };
    assert.match(started(serve(config, {}, port, oneCpu), "one CPU"), hint);
    assert.doesNotMatch(started(serve(config, {}, port, [...oneCpu, "--single-threaded-gc"]), "one CPU, with the flag"), hint);
    if (availableParallelism() > 1) assert.doesNotMatch(started(serve(config, {}, port), "every CPU"), hint);
  });
});

test("catalog_files in the config extend the catalog its deployments are resolved against, as --catalog does", async () => {
  await withTakenPort((port) => {
    const extra = join(process.cwd(), "test", "fixtures", "emulators", "cli-extra-model.yaml");
    const config = `providers:
  a: { kind: anthropic, api_key_env: TEST_KEY }
deployments:
  - { id: d, provider: a, model: claude-emulator-test-1, route: global }
catalog_files: [${JSON.stringify(extra)}]
listen: { host: 127.0.0.1 }
warm_up: { requests: 0 }
`;
    // The config is accepted (the model exists only in the extra file): serve goes on to listen, where the taken port stops it.
    const { status, stderr } = serve(config, { TEST_KEY: "sk-test" }, port);
    assert.notEqual(status, 0);
    assert.doesNotMatch(stderr, /deployments\.0\.model/);
    assert.match(stderr, /:\d+ is already in use\nstop what listens there/);
    // Without the file the same deployment is refused, naming the field.
    const without = serve(config.replace(/catalog_files: .*\n/, ""), { TEST_KEY: "sk-test" }, port);
    assert.equal(without.status, 2, without.stderr);
    assert.match(without.stderr, /deployments\.0\.model/);
  });
});

test("npm start's demo mode on a taken port: serve exits with the error, its emulators closed, instead of hanging", async () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-demo-start-"));
  try {
    await withTakenPort((port) => {
      // No provider credentials (childEnv): the built-in emulators are started first.
      const result = spawnSync(process.execPath, [BIN, "serve", "--port", String(port)], { cwd: dir, env: childEnv(), encoding: "utf8", timeout: 30_000 });
      assert.notEqual(result.status, null, "serve did not exit (the emulators kept it alive)");
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /:\d+ is already in use\nstop what listens there/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a provider's secret missing from the environment: exit 2 at start, naming the provider and the variable", () => {
  const { status, stderr } = serve(`${BASE}warm_up: { requests: 0 }\n`, { TEST_KEY: "" });
  assert.equal(status, 2, stderr);
  assert.match(stderr, /providers\.a: TEST_KEY is not set/);
  assert.match(stderr, /secrets never go in the config file/);
});

test("a port out of range is refused at once (exit 2), before the warm-up and the ledger", () => {
  const started = performance.now();
  const { status, stderr } = serve(BASE, {}, 70_000);
  assert.equal(status, 2, stderr);
  assert.match(stderr, /--port must be a TCP port from 0 to 65535, got "70000"/);
  assert.doesNotMatch(stderr, /warming up/);
  assert.ok(performance.now() - started < 15_000);
});

test("a second Ctrl-C stops serve at once, without waiting for the streams still in flight", async () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-second-signal-"));
  // An upstream whose stream takes about 20 s: 400 tokens, 50 ms apart.
  const emulator = await startAnthropicEmulator();
  emulator.setProfile({ latency: { ttftMs: { p50: 0, p99: 0 }, interTokenMs: { p50: 50, p99: 50 } } });
  const database = join(dir, "ledger.db");
  const setup = await openLedger({ kind: "sqlite", path: database, journal: false });
  const { secret, record } = newApiKey({ name: "signals" });
  await setup.keys.create(record);
  await setup.close();
  const config = join(dir, "gateway.yaml");
  writeFileSync(config, `listen: { host: 127.0.0.1, port: 0 }\nledger: { kind: sqlite, path: ${JSON.stringify(database)} }\nwarm_up: { requests: 0 }\nproviders:\n  emulator: { kind: anthropic, base_url: "${emulator.url}", api_key_env: SIGNAL_EMULATOR_KEY }\ndeployments:\n  - { id: haiku, provider: emulator, model: claude-haiku-4-5, route: global }\n`);
  const served = spawnServe(["--config", config], { env: childEnv({ SIGNAL_EMULATOR_KEY: "sk-emulator" }) });
  const { child, exited } = served;
  try {
    await served.waitFor(/listening on http/);
    const url = /listening on (http:\/\/\S+)/.exec(served.output)?.[1];
    assert.ok(url, served.output);
    const response = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": secret, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 400, stream: true, messages: [{ role: "user", content: "a long answer" }] }),
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the stream has begun
    child.kill("SIGINT");
    const first = await Promise.race([exited, settleAfter(1_500, "draining")]);
    assert.equal(first, "draining", "the first Ctrl-C waits for the stream in flight");
    child.kill("SIGINT");
    const code = await Promise.race([exited, settleAfter(10_000, "still running")]);
    assert.equal(code, 130, served.output);
    assert.match(served.output, /stopping at once: rows not yet in the ledger are in its journal/);
    await reader.cancel().catch(() => undefined);
  } finally {
    child.kill("SIGKILL");
    await exited;
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Ctrl-C during the warm-up: serve stops once the warm-up has cleaned up, leaving no temporary ledger behind", async () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-warm-up-signal-"));
  const privateTmp = join(dir, "tmp");
  mkdirSync(privateTmp);
  const config = join(dir, "gateway.yaml");
  writeFileSync(config, `ledger: { kind: sqlite, path: ${JSON.stringify(join(dir, "ledger.db"))} }\n${BASE}warm_up: { requests: 10000 }\n`);
  const child = spawn(process.execPath, [BIN, "serve", "--config", config, "--port", "0"], { env: childEnv({ TEST_KEY: "sk-test", TMPDIR: privateTmp }), stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    let output = "";
    child.stderr.setEncoding("utf8").on("data", (text: string) => (output += text));
    child.stdout.setEncoding("utf8").on("data", (text: string) => (output += text));
    const deadline = Date.now() + 20_000;
    while (!readdirSync(privateTmp).some((name) => name.startsWith("switchyard-warm-up-")) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill("SIGINT");
    const code = await Promise.race([exited, settleAfter(30_000, "still running")]);
    assert.equal(code, 130, output);
    assert.doesNotMatch(output, /listening on/, "it did not go on to serve");
    assert.deepEqual(readdirSync(privateTmp).filter((name) => name.startsWith("switchyard-warm-up-")), [], "the warm-up's directory is gone");
  } finally {
    child.kill("SIGKILL");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a config file that cannot be read: exit 2, naming it", () => {
  const result = spawnSync(process.execPath, [BIN, "serve", "--config", "/nonexistent/gateway.yaml"], { env: childEnv(), encoding: "utf8", timeout: 60_000 });
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /--config: cannot read \/nonexistent\/gateway\.yaml/);
});

test("serve says when its admin key variable is unset (naming it) and when it serves without keys; the 403 names the variable too", async () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-serve-warnings-"));
  const config = join(dir, "gateway.yaml");
  // A relative ledger path: next to the config, wherever serve runs.
  writeFileSync(config, `ledger: { kind: sqlite, path: here.db }\nadmin_key_env: NOT_SET_ADMIN\nallow_unauthenticated: true\nwarm_up: { requests: 0 }\n${BASE}`);
  const served = spawnServe(["--config", config, "--port", "0"], { cwd: tmpdir(), env: childEnv({ TEST_KEY: "sk-test" }) });
  const { child, exited } = served;
  try {
    await served.waitFor(/allow_unauthenticated is true/);
    const output = served.output;
    assert.match(output, /warning: NOT_SET_ADMIN \(admin_key_env\) is not set: the admin endpoints and the dashboard answer 403/);
    assert.match(output, /dashboard: http:\S+ \(disabled: NOT_SET_ADMIN is not set\)/);
    assert.match(output, /warning: allow_unauthenticated is true/);
    assert.match(output, new RegExp(`ledger: ${join(dir, "here.db").replaceAll(".", "\\.")}`));
    assert.match(output, new RegExp(`switchyard keys create --name my-app --config ${config.replaceAll(".", "\\.")}`));
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    const answer = await fetch(`${url}/v1/switchyard/health`, { headers: { "x-api-key": "anything" } });
    assert.equal(answer.status, 403);
    assert.match(await answer.text(), /the gateway started without NOT_SET_ADMIN \(its admin_key_env\) set/);
  } finally {
    child.kill("SIGKILL");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--emulator-profile: only without a config, and only a profile the emulators know", () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-serve-profile-"));
  try {
    const config = join(dir, "gateway.yaml");
    writeFileSync(config, BASE);
    const withConfig = spawnSync(process.execPath, [BIN, "serve", "--config", config, "--emulator-profile", "flaky"], { env: childEnv(), encoding: "utf8", timeout: 60_000 });
    assert.equal(withConfig.status, 2, withConfig.stderr);
    assert.match(withConfig.stderr, /--emulator-profile applies to the built-in emulators, which serve starts only without a config/);
    const unknown = spawnSync(process.execPath, [BIN, "serve", "--emulator-profile", "nonsense"], { cwd: dir, env: childEnv(), encoding: "utf8", timeout: 60_000 });
    assert.equal(unknown.status, 2, unknown.stderr);
    assert.match(unknown.stderr, /--emulator-profile: unknown profile "nonsense"; known profiles: instant,/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs `run` in a new temporary directory, removed afterwards. */
function inTempDir(prefix: string, run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** bin/switchyard with `args`, to its end. */
const cli = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8", timeout: 60_000 });

test("serve --check: exit 0 and a summary for a config serve would start with; exit 2 with every problem otherwise; nothing listens", () => {
  inTempDir("switchyard-serve-check-", (dir) => {
    const good = join(dir, "good.yaml");
    writeFileSync(good, `ledger: { kind: sqlite, path: team.db }\n${BASE}`);
    const ok = cli(["serve", "--check", "--config", good], childEnv({ TEST_KEY: "sk-test" }));
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, `config ok: ${good}: 1 provider(s), 1 deployment(s), 0 model alias(es); ledger: ${join(dir, "team.db")}\n`);
    assert.equal(existsSync(join(dir, "team.db")), false, "the ledger is not created");
    const unset = cli(["serve", "--check", "--config", good], childEnv());
    assert.equal(unset.status, 2);
    assert.match(unset.stderr, /providers\.a: TEST_KEY is not set/);
    const typos = join(dir, "typos.yaml");
    writeFileSync(typos, `${BASE}routing:\n  polcy: cheapest\ntimeout: { total_ms: 5 }\n`);
    const bad = cli(["serve", "--check", "--config", typos], childEnv({ TEST_KEY: "sk-test" }));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /typos\.yaml:6: routing: Unrecognized key: "polcy" \(did you mean "policy"\?\)/);
    assert.match(bad.stderr, /typos\.yaml:7: Unrecognized key: "timeout" \(did you mean "timeouts"\?\)/);
  });
});

test("serve --check warns of a listen.port or --port that fetch() refuses (the SDKs could not reach the gateway), and still passes the config", () => {
  inTempDir("switchyard-serve-bad-port-", (dir) => {
    const config = join(dir, "port.yaml");
    writeFileSync(config, `listen: { port: 6666 }\n${BASE}`);
    const fromConfig = cli(["serve", "--check", "--config", config], childEnv({ TEST_KEY: "sk-test" }));
    assert.equal(fromConfig.status, 0, fromConfig.stderr);
    assert.match(fromConfig.stderr, /^warning: .*port\.yaml:1: listen\.port: 6666 is one of the ports fetch\(\) refuses to connect to .*listen on another port/m);
    const fromFlag = cli(["serve", "--check", "--config", config, "--port", "10080"], childEnv({ TEST_KEY: "sk-test" }));
    assert.equal(fromFlag.status, 0, fromFlag.stderr);
    assert.match(fromFlag.stderr, /^warning: --port 10080 is one of the ports fetch\(\) refuses/m);
    assert.doesNotMatch(fromFlag.stderr, /listen\.port/, "the flag replaces listen.port");
  });
});

test("a ledger.path in a directory that does not exist: --check, serve and keys create say so in a line, exit 2, no stack trace", () => {
  inTempDir("switchyard-serve-nodir-", (dir) => {
    const config = join(dir, "nodir.yaml");
    writeFileSync(config, `ledger:\n  kind: sqlite\n  path: missing/dir/x.db\n${BASE}`);
    const expected = new RegExp(`nodir\\.yaml:3: ledger\\.path: cannot create a ledger at ${escapeRegExp(join(dir, "missing", "dir", "x.db"))}: directory ${escapeRegExp(join(dir, "missing", "dir"))} does not exist`);
    for (const args of [["serve", "--check"], ["serve", "--port", "0"]]) {
      const result = cli([...args, "--config", config], childEnv({ TEST_KEY: "sk-test" }));
      assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, expected);
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    }
    const keys = cli(["keys", "create", "--name", "z", "--config", config], childEnv());
    assert.equal(keys.status, 2, keys.stderr);
    assert.match(keys.stderr, /cannot create a ledger at .*x\.db: directory .*missing\/dir does not exist/);
    assert.doesNotMatch(keys.stderr, /\n\s+at /, "no stack trace");
  });
});

test("a catalog_files entry that cannot be read is reported under the config's catalog_files, not as --catalog", () => {
  inTempDir("switchyard-serve-catalogs-", (dir) => {
    const config = join(dir, "cf.yaml");
    writeFileSync(config, `${BASE}catalog_files:\n  - missing.yaml\n`);
    const result = cli(["serve", "--check", "--config", config], childEnv({ TEST_KEY: "sk-test" }));
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /cf\.yaml:6: catalog_files \(relative to the config file\): 1 error\(s\):\n.*missing\.yaml: error: cannot read/);
    assert.doesNotMatch(result.stderr, /--catalog/);
  });
});

test("a second gateway on a ledger another one serves from: one line and exit 2 before the warm-up, saying what to do, with a config or without (npm start twice)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-serve-twice-"));
  // This process plays the first gateway: it holds the ledger's journal.
  const first = await openLedger({ kind: "sqlite", path: join(dir, "switchyard.db") });
  try {
    const config = join(dir, "gateway.yaml");
    writeFileSync(config, `ledger: { kind: sqlite, path: switchyard.db }\n${BASE}`);
    const withConfig = cli(["serve", "--config", config, "--port", "0"], childEnv({ TEST_KEY: "sk-test" }));
    assert.equal(withConfig.status, 2, withConfig.stderr);
    assert.match(withConfig.stderr, new RegExp(`^switchyard serve: another gateway is already serving from this ledger: its journal ${escapeRegExp(join(dir, "switchyard.db.journal"))} is held by another process \\(pid ${process.pid} on host `, "m"));
    assert.match(withConfig.stderr, /give this one its own ledger\.path or ledger\.journal_dir in its config/);
    assert.doesNotMatch(withConfig.stderr, /warming up|\n\s+at /, "before the warm-up, and no stack trace");
    const withoutConfig = spawnSync(process.execPath, [BIN, "serve", "--port", "0"], { cwd: dir, env: childEnv(), encoding: "utf8", timeout: 60_000 });
    assert.equal(withoutConfig.status, 2, withoutConfig.stderr);
    assert.match(withoutConfig.stderr, /another gateway is already serving from this ledger/);
    assert.match(withoutConfig.stderr, /SWITCHYARD_DB=other\.db npm start/);
    assert.doesNotMatch(withoutConfig.stderr, /warming up|\n\s+at /);
  } finally {
    await first.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("serve names its PostgreSQL server, database and schema and its Redis address, passwords redacted; --check too", async () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-serve-shared-"));
  const schema = `serve_banner_${process.pid}`;
  // Trust authentication (the tests' PostgreSQL) and Redis's default user (nopass) accept any password.
  const postgres = new URL(POSTGRES_URL);
  postgres.password = "pg-s3cret";
  const redis = new URL(REDIS_URL);
  redis.username = "default";
  redis.password = "redis-s3cret";
  const env = childEnv({ TEST_KEY: "sk-test", BANNER_DATABASE_URL: postgres.toString(), BANNER_REDIS_URL: redis.toString() });
  const config = join(dir, "gateway.yaml");
  writeFileSync(
    config,
    `ledger: { kind: postgres, url_env: BANNER_DATABASE_URL, schema: ${schema}, journal_dir: ${JSON.stringify(join(dir, "journal"))} }\n` +
      `redis: { url_env: BANNER_REDIS_URL, key_prefix: "banner-${process.pid}:" }\nwarm_up: { requests: 0 }\n${BASE}`,
  );
  // Each URL as the banner should show it: the password as ***, the rest as the environment gave it.
  const shownPostgres = escapeRegExp(`${postgres.protocol}//${postgres.username}:***@${postgres.host}${postgres.pathname}${postgres.search}`);
  const shownRedis = escapeRegExp(`${redis.protocol}//${redis.username}:***@${redis.host}${redis.pathname}`);
  const served = spawnServe(["--config", config, "--port", "0"], { env });
  try {
    const check = cli(["serve", "--check", "--config", config], env);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, new RegExp(`ledger: PostgreSQL ${shownPostgres}, schema ${schema}; redis: ${shownRedis}, keys under banner-${process.pid}:\\n`));
    await served.waitFor(/listening on http[^]*\n\n/);
    assert.match(served.output, new RegExp(`\\nledger: PostgreSQL ${shownPostgres}, schema ${schema}\\n`));
    assert.match(served.output, new RegExp(`\\nredis: ${shownRedis}, keys under banner-${process.pid}: \\(rate limits, prompt-cache affinity, deployment health; shared with the other replicas\\)\\n`));
    assert.doesNotMatch(served.output + check.stdout + check.stderr, /s3cret/, "no password is printed");
  } finally {
    served.child.kill("SIGINT");
    await served.exited;
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    rmSync(dir, { recursive: true, force: true });
  }
});
