/**
 * The `switchyard` command line: dispatches to one file per command.
 * Exit codes: 0 success, 2 bad input (message names the flag or field), 1 other failures.
 */
import { readFileSync } from "node:fs";
import type { Command, CommandContext } from "./command.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./usage-error.js";
import { commands } from "./registry.js";
import { didYouMean } from "../util/suggest.js";
import { systemError } from "./system-error.js";

function topLevelHelp(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    "switchyard — price, plan and route Claude requests across Anthropic, Bedrock and more",
    "",
    "Usage: switchyard <command> [flags]",
    "",
    "Commands:",
    ...lines,
    "",
    "Every command has --help (or: switchyard help COMMAND); commands that report have --json.",
    "switchyard --version prints the version.",
    "Exit codes: 0 success, 2 bad input, 1 other failure.",
    "",
  ].join("\n");
}

export async function main(context: CommandContext): Promise<number> {
  const [name, ...rest] = context.argv;
  if (name === "--version" || name === "version") {
    context.stdout.write(`switchyard ${version()}\n`);
    return EXIT_OK;
  }
  // `switchyard help serve` is `switchyard serve --help`.
  if (name === "help" && rest[0] !== undefined) {
    if (rest.length > 1) return usage(context, `help takes one command, got ${rest.length}: ${rest.map((word) => JSON.stringify(word)).join(" ")}`);
    if (!commands.some((candidate) => candidate.name === rest[0])) return usage(context, `help: unknown command ${JSON.stringify(rest[0])}${didYouMean(rest[0], commandNames())}`);
    return main({ ...context, argv: [rest[0], "--help"] });
  }
  // Help asked for is output (stdout, exit 0); a missing or unknown command is bad input (stderr, exit 2).
  if (name === "--help" || name === "-h" || name === "help") {
    context.stdout.write(topLevelHelp());
    return EXIT_OK;
  }
  if (name === undefined) return usage(context, "give a command");
  const command: Command | undefined = commands.find((candidate) => candidate.name === name);
  if (!command) return usage(context, `unknown command ${JSON.stringify(name)}${didYouMean(name, commandNames())}`);
  if (rest.includes("--help") || rest.includes("-h")) {
    context.stdout.write(command.help.endsWith("\n") ? command.help : `${command.help}\n`);
    return EXIT_OK;
  }
  try {
    return await command.run({ ...context, argv: rest });
  } catch (error) {
    if (error instanceof UsageError) {
      context.stderr.write(`switchyard ${name}: ${error.message}\n${error.hint ? `${error.hint}\n` : ""}`);
      return EXIT_USAGE;
    }
    context.stderr.write(`switchyard ${name}: ${failureMessage(error)}\n`);
    return EXIT_FAILURE;
  }
}

const commandNames = (): string[] => commands.map((command) => command.name);

/** Bad input before any command runs: what is wrong, the commands there are, where help is; exit 2. */
function usage(context: CommandContext, problem: string): number {
  context.stderr.write(`switchyard: ${problem}; commands: ${commandNames().join(", ")}\nsee: switchyard --help\n`);
  return EXIT_USAGE;
}

/**
 * What a failure says. The machine's (a database that refuses connections, a file that cannot be
 * written: Node's system errors, which carry a syscall or an E… code) is told in a line, without a
 * stack; anything else is a bug, and its stack is what a report needs.
 */
function failureMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return systemError(error)?.message ?? error.stack ?? error.message;
}

/** The repository's package.json, from dist/src/cli/main.js. */
const PACKAGE_JSON = "../../../package.json";

/** The package's version, from its package.json. */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL(PACKAGE_JSON, import.meta.url), "utf8")) as { version?: string };
  return manifest.version ?? "unknown";
}
