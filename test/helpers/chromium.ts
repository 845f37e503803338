/**
 * Debian's Chromium (/usr/bin/chromium) driven by playwright-core, for the browser tests: the
 * dashboard's, the planner's --html page and the gateway's CORS. Without it installed they are skipped, saying why.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

/** A browser test's `skip`: false with Chromium installed, else why it is skipped and how to install it. */
export const skipWithoutChromium: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium) to run the browser tests`;

/** A headless Chromium, with no network of its own (close it when done). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}
