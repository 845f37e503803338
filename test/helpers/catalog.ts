import { loadCatalog } from "../../src/catalog/files.js";
import type { Catalog } from "../../src/catalog/catalog.js";

let shared: Catalog | undefined;

/** The repository catalog, loaded once per test process. */
export function catalog(): Catalog {
  shared ??= loadCatalog();
  return shared;
}
