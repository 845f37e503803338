/** The benchmarks' bad flags: a message naming the flag and exit status 2, before any work starts. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { REPO_ROOT } from "../helpers/paths.js";
import { configFlag } from "../../bench/gateway/flags.js";

function run(script: string, ...args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [resolve(REPO_ROOT, "dist/bench", script), ...args], { encoding: "utf8", timeout: 20_000 });
  return { status: result.status, stderr: result.stderr };
}

test("a bad benchmark flag is named, with exit status 2 and no stack trace", () => {
  for (const [script, args, message] of [
    ["gateway-ab.bench.js", ["--modes", "non-stream"], /^--modes takes json and\/or stream, got "non-stream"\n$/],
    ["gateway-ab.bench.js", ["--windows", "x"], /^--windows must be a positive number, got "x"\n$/],
    ["gateway.bench.js", ["--bogus"], /^Unknown option '--bogus'/],
    ["pricing.bench.js", ["--records"], /argument missing/],
    ["thread-wake.bench.js", ["--modes", "nope"], /^--modes: unknown mode nope; the modes are /],
  ] as const) {
    const result = run(script, ...args);
    assert.equal(result.status, 2, `${script} ${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
});

test("--gateway-config and its kin take \\n typed as two characters for a line break", () => {
  assert.equal(configFlag(undefined), "");
  assert.equal(configFlag("warm_up: { requests: 0 }\\nredis: { url_env: REDIS_URL }"), "warm_up: { requests: 0 }\nredis: { url_env: REDIS_URL }");
});
