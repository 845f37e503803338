import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixturePath } from "./fixture-paths.js";

const bin = fileURLToPath(new URL("../../../bin/switchyard", import.meta.url));

interface Started {
  url: string;
  profile: string;
  credentials: Record<string, string>;
}

/** Starts `switchyard emulate ...`, reads the --json banner, runs `body`, then stops it with SIGTERM. */
async function withEmulator(args: string[], body: (started: Started) => Promise<void>): Promise<number | null> {
  const child = spawn(process.execPath, [bin, "emulate", ...args, "--json", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const started = await new Promise<Started>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      try {
        resolve(JSON.parse(output) as Started);
      } catch {
        // not complete yet
      }
    });
    child.once("exit", (code) => reject(new Error(`exited ${code}: ${errors}`)));
  });
  try {
    await body(started);
  } finally {
    child.kill("SIGTERM");
  }
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

test("switchyard emulate anthropic prints its URL and key, serves requests, and exits 0 on SIGTERM", async () => {
  const code = await withEmulator(["anthropic", "--key", "sk-cli", "--profile", "fast", "--catalog", fixturePath("cli-extra-model.yaml"), "--workspace", "wrkspc_cli"], async (started) => {
    assert.equal(started.credentials["ANTHROPIC_API_KEY"], "sk-cli");
    assert.equal(started.credentials["ANTHROPIC_AWS_WORKSPACE_ID"], "wrkspc_cli");
    assert.equal(started.profile, "fast");
    const models = (await (await fetch(`${started.url}/v1/models`, { headers: { "x-api-key": "sk-cli", "anthropic-version": "2023-06-01", "anthropic-workspace-id": "wrkspc_cli" } })).json()) as { data: { id: string }[] };
    assert.ok(models.data.some((model) => model.id === "claude-emulator-test-1"), "the --catalog file's model is served");
    const response = await fetch(`${started.url}/v1/messages`, {
      method: "POST",
      headers: { authorization: "Bearer sk-cli", "anthropic-version": "2023-06-01", "content-type": "application/json", "anthropic-workspace-id": "wrkspc_cli" },
      body: JSON.stringify({ model: "claude-emulator-test-1", max_tokens: 20, messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(response.status, 200);
  });
  assert.equal(code, 0);
});

test("switchyard emulate bedrock prints AWS credentials for its region and takes a profile file", async () => {
  const directory = mkdtempSync(join(tmpdir(), "emulate-"));
  const profileFile = join(directory, "profile.yaml");
  writeFileSync(profileFile, "profile: throttled\nrateLimits:\n  requestsPerMinute: 7\n");
  const code = await withEmulator(["bedrock", "--region", "eu-west-1", "--profile", profileFile], async (started) => {
    assert.equal(started.credentials["AWS_REGION"], "eu-west-1");
    assert.equal(started.credentials["AWS_ACCESS_KEY_ID"], "AKIDEXAMPLE");
    const state = (await (await fetch(`${started.url}/_emulator/state`)).json()) as { region: string; profile: { faults: { rateLimits: { requestsPerMinute: number } } } };
    assert.equal(state.region, "eu-west-1");
    assert.equal(state.profile.faults.rateLimits.requestsPerMinute, 7);
  });
  assert.equal(code, 0);
});

test("bad input exits 2 and names the flag", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, "emulate", ...args], { encoding: "utf8" });
  const noProvider = run();
  assert.equal(noProvider.status, 2, noProvider.stderr);
  const badProfile = run("anthropic", "--profile", "nope");
  assert.equal(badProfile.status, 2, badProfile.stderr);
  assert.match(badProfile.stderr, /--profile: unknown profile "nope"/);
  const badRegion = run("anthropic", "--region", "us-east-1");
  assert.equal(badRegion.status, 2, badRegion.stderr);
  assert.match(badRegion.stderr, /--region/);
  const workspaceOnBedrock = run("bedrock", "--workspace", "wrkspc_x");
  assert.equal(workspaceOnBedrock.status, 2, workspaceOnBedrock.stderr);
  assert.match(workspaceOnBedrock.stderr, /--workspace applies to the anthropic emulator only/);
  const badPort = run("bedrock", "--port", "http");
  assert.equal(badPort.status, 2, badPort.stderr);
  assert.match(badPort.stderr, /--port/);
});
