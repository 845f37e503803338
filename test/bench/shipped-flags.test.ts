/**
 * The gateway's node flags live on bin/switchyard's shebang (decision 0014): run directly (as
 * `npm start` and an installed `switchyard` do), the process gets them; the benchmarks read the
 * same line so they measure what ships.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { shippedNodeFlags } from "../../bench/gateway/processes.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";

const childEnv = () => {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
};

test("bin/switchyard, run directly, starts node with the shipped young-generation limit", () => {
  assert.deepEqual(shippedNodeFlags(REPO_ROOT), ["--max-semi-space-size=8"]);
  // The shebang goes through `env -S`: the command must run, and node must have the flag.
  const help = execFileSync(BIN, ["--help"], { env: childEnv(), encoding: "utf8" });
  assert.match(help, /Usage: switchyard <command>/);
  // A script with the very same first line shows what node receives through it.
  const dir = mkdtempSync(join(tmpdir(), "switchyard-shebang-"));
  try {
    const probe = join(dir, "probe.mjs");
    writeFileSync(probe, `${readFileSync(BIN, "utf8").split("\n", 1)[0]}\nprocess.stdout.write(process.execArgv.join(" "));\n`, { mode: 0o755 });
    assert.equal(execFileSync(probe, [], { env: childEnv(), encoding: "utf8" }), "--max-semi-space-size=8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("shippedNodeFlags reads any `env node` shebang, and none from a plain one", () => {
  const root = mkdtempSync(join(tmpdir(), "switchyard-shebang-"));
  try {
    const write = (line: string) => {
      execFileSync("mkdir", ["-p", join(root, "bin")]);
      writeFileSync(join(root, "bin/switchyard"), `${line}\nimport "x";\n`);
    };
    write("#!/usr/bin/env node");
    assert.deepEqual(shippedNodeFlags(root), []);
    write("#!/usr/bin/env -S node --a=1  --b");
    assert.deepEqual(shippedNodeFlags(root), ["--a=1", "--b"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
