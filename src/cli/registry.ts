import type { Command } from "./command.js";
import { priceCommand } from "./price.js";
import { planCommand } from "./plan.js";
import { compareCommand } from "./compare.js";
import { catalogCommand } from "./catalog.js";

/** Every command, in the order --help lists them. Adding a command = one file + one line here. */
export const commands: Command[] = [
  priceCommand,
  planCommand,
  compareCommand,
  catalogCommand,
];
