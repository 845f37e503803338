/**
 * The top level's contract: help asked for (--help, -h, help, help COMMAND) is printed on stdout with
 * exit 0; a missing or unknown command is bad input: a short message on stderr naming the commands
 * there are, exit 2, nothing on stdout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { commands } from "../../src/cli/registry.js";
import { runCli } from "./run-cli.js";

const commandList = commands.map((command) => command.name).join(", ");

test("switchyard with no command is bad input: the commands on stderr, exit 2, nothing on stdout", async () => {
  const result = await runCli([]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /^switchyard: give a command; commands: /);
  assert.ok(result.stderr.includes(commandList), result.stderr);
  assert.match(result.stderr, /see: switchyard --help\n$/);
});

test("--help, -h and help print the help on stdout, exit 0", async () => {
  for (const argv of [["--help"], ["-h"], ["help"]]) {
    const result = await runCli(argv);
    assert.equal(result.code, 0, argv.join(" "));
    assert.equal(result.stderr, "");
    assert.match(result.stdout, /^Usage: switchyard <command> \[flags\]$/m);
  }
});

test("an unknown command is bad input: a short message with a suggestion, not the whole help", async () => {
  const result = await runCli(["prcie"]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /^switchyard: unknown command "prcie" \(did you mean "price"\?\); commands: /);
  assert.doesNotMatch(result.stderr, /Usage:/);
});

test("help COMMAND is that command's --help; help with an unknown command or more than one word is bad input", async () => {
  const price = await runCli(["help", "price"]);
  assert.equal(price.code, 0);
  assert.match(price.stdout, /^switchyard price/);
  const unknown = await runCli(["help", "nope"]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, "");
  assert.match(unknown.stderr, /^switchyard: help: unknown command "nope"; commands: /);
  const extra = await runCli(["help", "price", "compare"]);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /help takes one command, got 2/);
});

test("every command's --help is printed on stdout, exit 0, and starts with its name", async () => {
  for (const command of commands) {
    const result = await runCli([command.name, "--help"]);
    assert.equal(result.code, 0, command.name);
    assert.equal(result.stderr, "", command.name);
    assert.match(result.stdout, new RegExp(`^switchyard ${command.name} `), command.name);
    assert.match(result.stdout, /\n$/);
  }
});

test("a command missing its subcommand or argument says which it needs on stderr, exit 2", async () => {
  for (const [name, needs] of [["catalog", /catalog needs a subcommand: list, show or validate/], ["keys", /keys needs a subcommand: create, list or revoke/], ["emulate", /say which emulator/], ["plan", /give the workload file/]] as const) {
    const result = await runCli([name]);
    assert.equal(result.code, 2, name);
    assert.equal(result.stdout, "", name);
    assert.match(result.stderr, needs, name);
  }
});

test("keys --help shows revoke's --json and its shape", async () => {
  const result = await runCli(["keys", "--help"]);
  assert.match(result.stdout, /^ {2}switchyard keys revoke ID\|NAME \[--json\]$/m);
  assert.match(result.stdout, /\{"revoked": ID, "name"\[, "already_revoked_at": ISO time\]\}/);
});
