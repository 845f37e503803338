/** Where the emulator test fixtures live, from the compiled test file (dist/test/emulators -> test/fixtures/emulators). */
import { fileURLToPath } from "node:url";

export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/emulators/${relative}`, import.meta.url));
}
