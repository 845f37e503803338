import type { Command } from "./command.js";
import { priceCommand } from "./price.js";
import { compareCommand } from "./compare.js";
import { catalogCommand } from "./catalog.js";
import { planCommand } from "./plan.js";
import { serveCommand } from "./serve.js";
import { keysCommand } from "./keys.js";
import { spendCommand } from "./spend.js";
import { emulateCommand } from "./emulate.js";

/** Every command, in the order --help lists them (know, decide, route and account). Adding a command = one file + one line here. */
export const commands: Command[] = [
  priceCommand,
  compareCommand,
  catalogCommand,
  planCommand,
  serveCommand,
  keysCommand,
  spendCommand,
  emulateCommand,
];
