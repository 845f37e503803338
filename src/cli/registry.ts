import type { Command } from "./command.js";
import { priceCommand } from "./price.js";
import { planCommand } from "./plan.js";
import { compareCommand } from "./compare.js";
import { catalogCommand } from "./catalog.js";
import { spendCommand } from "./spend.js";
import { keysCommand } from "./keys.js";
import { emulateCommand } from "./emulate.js";

/** Every command, in the order --help lists them. Adding a command = one file + one line here. */
export const commands: Command[] = [
  priceCommand,
  planCommand,
  compareCommand,
  catalogCommand,
  spendCommand,
  keysCommand,
  emulateCommand,
];
