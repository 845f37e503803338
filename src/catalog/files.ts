/**
 * Loads catalog files from disk: ours under catalog/ and a user's own with --catalog.
 * YAML with anchors and merge keys; each file validated against the schema, with the line of
 * every bad field. The only part of catalog/ that touches the file system.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseYamlWithSchema } from "../util/yaml-file.js";
import { buildCatalog, type CatalogIssue, type NamedCatalogFile } from "./build-catalog.js";
import { Catalog } from "./catalog.js";
import { catalogFileSchema } from "./schema.js";

/** The repository's catalog/ folder (dist/src/catalog -> ../../../catalog). */
export const DEFAULT_CATALOG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../catalog");

export class CatalogInvalidError extends Error {
  override readonly name = "CatalogInvalidError";
  constructor(readonly issues: CatalogIssue[]) {
    super(`the catalog has ${issues.length} error(s):\n${issues.map(formatIssue).join("\n")}`);
  }
}

export function formatIssue(issue: CatalogIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  return `${where}: ${issue.severity}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
}

export function catalogFilesIn(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory).sort()) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) found.push(...catalogFilesIn(path));
    else if (/\.(ya?ml|json)$/.test(entry)) found.push(path);
  }
  return found;
}

/** Reads and schema-checks one file. Returns the parsed file or the issues found in it. */
export function readCatalogFile(path: string, displayName = path): { file?: NamedCatalogFile; issues: CatalogIssue[] } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { issues: [{ file: displayName, path: "", message: `cannot read: ${(error as Error).message}`, severity: "error" }] };
  }
  const parsed = parseYamlWithSchema(text, catalogFileSchema, displayName);
  if (!parsed.data) return { issues: parsed.issues.map((issue) => ({ ...issue, severity: "error" as const })) };
  return { file: { name: displayName, data: parsed.data, lineOf: parsed.lineOf }, issues: [] };
}

export interface LoadOptions {
  /** Our catalog folder; defaults to the repository's catalog/. */
  directory?: string;
  /** A user's own files, applied after ours (an offering with the same key replaces ours). */
  extraFiles?: string[];
}

/** Loads and checks every file; returns the catalog with warnings, or the full list of problems. */
export function loadCatalogChecked(options: LoadOptions = {}): { catalog?: Catalog; issues: CatalogIssue[] } {
  const directory = options.directory ?? DEFAULT_CATALOG_DIR;
  const paths = [
    ...catalogFilesIn(directory).map((path) => ({ path, name: join("catalog", relative(directory, path)) })),
    ...(options.extraFiles ?? []).map((path) => ({ path, name: path })),
  ];
  const files: NamedCatalogFile[] = [];
  const issues: CatalogIssue[] = [];
  for (const { path, name } of paths) {
    const result = readCatalogFile(path, name);
    issues.push(...result.issues);
    if (result.file) files.push(result.file);
  }
  const built = buildCatalog(files);
  issues.push(...built.issues);
  if (issues.some((issue) => issue.severity === "error")) return { issues };
  return { catalog: new Catalog(built.catalog), issues };
}

/** Loads the catalog or throws CatalogInvalidError listing every error. */
export function loadCatalog(options: LoadOptions = {}): Catalog {
  const { catalog, issues } = loadCatalogChecked(options);
  if (!catalog) throw new CatalogInvalidError(issues.filter((issue) => issue.severity === "error"));
  return catalog;
}
