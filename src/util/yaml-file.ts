/**
 * YAML text validated against a zod schema, with every problem reported as file:line: field: message.
 * Shared by the catalog loader, the gateway config, the emulators' profiles and (its YAML step,
 * readYamlDocument) the planner's workload file, so that each says a problem in the same words.
 */
import { LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { expectedText, schemaIssues, type FieldPath, type FileIssue } from "./schema-issues.js";
import { binaryContent, notTextMessage } from "./binary-text.js";

export { inLineOrder, type FileIssue } from "./schema-issues.js";

export interface ParsedYaml<T> {
  data?: T;
  issues: FileIssue[];
  /** Line of a field path (or of its nearest existing parent). */
  lineOf: (path: FieldPath) => number | undefined;
}

export function formatFileIssue(issue: FileIssue): string {
  return `${issue.line ? `${issue.file}:${issue.line}` : issue.file}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
}

/** A YAML file's document and where its fields are, or what makes it not valid YAML. */
export interface YamlDocument {
  document: Document;
  lineCounter: LineCounter;
  /** Line of a field path (or of its nearest existing parent). */
  lineOf: (path: FieldPath) => number | undefined;
  /** Why the text is not valid YAML (a key given twice names the key); empty when it is. */
  issues: FileIssue[];
}

/** The YAML step every file the CLI reads goes through, before its schema (or its own reading, as a workload's exact decimals). */
export function readYamlDocument(text: string, file: string): YamlDocument {
  const lineCounter = new LineCounter();
  // A binary file is said to be one, not parsed: the parser's messages would quote its bytes.
  const binary = binaryContent(text);
  if (binary) {
    const issue: FileIssue = { file, path: "", line: binary.line, message: notTextMessage(binary, "a YAML or JSON file") };
    return { document: parseDocument("", { lineCounter }), lineCounter, lineOf: () => undefined, issues: [issue] };
  }
  const document = parseDocument(text, { merge: true, lineCounter, prettyErrors: false });
  const lineOf = (path: FieldPath): number | undefined => {
    for (let length = path.length; length >= 0; length -= 1) {
      const node = document.getIn(path.slice(0, length), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === "object" && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const issues = document.errors.map((error): FileIssue => {
    // Without prettyErrors the error has no linePos: its offset, through the line counter, does.
    const line = error.pos?.[0] === undefined ? undefined : lineCounter.linePos(error.pos[0]).line;
    // The parser's wording does not name the key ("Map keys must be unique"); its position does.
    const duplicate = error.code === "DUPLICATE_KEY" && error.pos ? /^("[^"]*"|'[^']*'|[^\s:,{}[\]]+)/.exec(text.slice(error.pos[0]))?.[1] : undefined;
    const message = duplicate ? `${duplicate.startsWith('"') || duplicate.startsWith("'") ? duplicate : JSON.stringify(duplicate)} is given twice in the same map: keep one` : (error.message.split("\n")[0] ?? "");
    return { file, path: "", message: `not valid YAML: ${message}`, ...(line ? { line } : {}) };
  });
  return { document, lineCounter, lineOf, issues };
}

export function parseYamlWithSchema<S extends z.ZodType>(text: string, schema: S, file: string): ParsedYaml<z.infer<S>> {
  const { document, lineCounter, lineOf, issues } = readYamlDocument(text, file);
  if (issues.length > 0) return { issues, lineOf };
  if (document.contents === null) return { issues: [{ file, path: "", message: "the file is empty (or only comments): nothing to read" }], lineOf };
  const value: unknown = document.toJS({ maxAliasCount: -1 });
  const parsed = schema.safeParse(value, { error: expectedText });
  if (!parsed.success) return { issues: schemaIssues({ file, document, lineCounter, schema, lineOf }, value, parsed.error.issues), lineOf };
  return { data: parsed.data as z.infer<S>, issues: [], lineOf };
}
