/** The repository catalog (catalog/*.yaml), loaded once per process, as the emulators' model list. */
import { loadCatalog, type LoadOptions } from "../../catalog/files.js";
import { CatalogModelAccess, type ModelAccess } from "./model-access.js";

let loaded: ModelAccess | undefined;

export function catalogModels(options?: LoadOptions): ModelAccess {
  if (options) return new CatalogModelAccess(loadCatalog(options));
  loaded ??= new CatalogModelAccess(loadCatalog());
  return loaded;
}
