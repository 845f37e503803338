/**
 * The `switchyard` command line: dispatches to one file per command.
 * Exit codes: 0 success, 2 bad input (message names the flag or field), 1 other failures.
 */
import type { Command, CommandContext } from "./command.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./usage-error.js";
import { commands } from "./registry.js";

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
    "Every command has --help; commands that report have --json.",
    "Exit codes: 0 success, 2 bad input, 1 other failure.",
    "",
  ].join("\n");
}

export async function main(context: CommandContext): Promise<number> {
  const [name, ...rest] = context.argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    context.stdout.write(topLevelHelp());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command: Command | undefined = commands.find((candidate) => candidate.name === name);
  if (!command) {
    context.stderr.write(`switchyard: unknown command ${JSON.stringify(name)}\n\n${topLevelHelp()}`);
    return EXIT_USAGE;
  }
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
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    context.stderr.write(`switchyard ${name}: ${message}\n`);
    return EXIT_FAILURE;
  }
}
