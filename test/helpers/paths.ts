import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, from dist/test/helpers/paths.js. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const FIXTURE_CATALOG = resolve(REPO_ROOT, "test/fixtures/catalog");
export const BIN = resolve(REPO_ROOT, "bin/switchyard");
