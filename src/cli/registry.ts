import type { Command } from "./command.js";

/** Every command, in the order --help lists them. Adding a command = one file + one line here. */
export const commands: Command[] = [];
