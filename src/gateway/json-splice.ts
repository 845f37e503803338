/**
 * The client's request body with a few top-level members set, everything else byte for byte.
 *
 * An Anthropic-shape upstream gets the client's JSON with only `model` (and, for a "us" route,
 * `inference_geo`) changed. Parsing and re-serialising the whole body would change what the
 * client sent: a 20-digit integer in a tool schema loses precision, `1.0` becomes `1`, and every
 * byte is serialised again. Splicing the new values into the original text keeps the rest exact
 * and costs one scan of the body's top level (string contents are skipped with indexOf).
 */
import { isUtf8 } from "node:buffer";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipSpace(json: Buffer, at: number): number {
  while (isSpace(json[at])) at += 1;
  return at;
}

/** From an opening quote to just past its closing quote. */
function skipString(json: Buffer, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = json.indexOf(QUOTE, from);
    if (quote < 0) throw new SyntaxError("unterminated string");
    let backslashes = 0;
    while (json[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Past one JSON value starting at `at` (no leading space). */
function skipValue(json: Buffer, at: number): number {
  const first = json[at];
  if (first === QUOTE) return skipString(json, at);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    let index = at;
    while (index < json.length) {
      const byte = json[index];
      if (byte === QUOTE) {
        index = skipString(json, index);
        continue;
      }
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === 0) return index + 1;
      }
      index += 1;
    }
    throw new SyntaxError("unterminated container");
  }
  // A number, true, false or null: up to the next delimiter.
  let index = at;
  while (index < json.length && json[index] !== COMMA && json[index] !== CLOSE_BRACE && json[index] !== CLOSE_BRACKET && !isSpace(json[index])) index += 1;
  return index;
}

interface TopLevel {
  /** Just past the opening brace. */
  bodyStart: number;
  empty: boolean;
  /** By index into the wanted keys: the value's span [start, end), and how many times the key occurs. */
  found: Map<number, { start: number; end: number; count: number }>;
}

/** The key whose text spans [start, end) (quotes included), if it is one of `wanted` (UTF-8 bytes). */
function wantedKey(json: Buffer, start: number, end: number, wanted: readonly Buffer[]): number {
  let escaped = false;
  for (let index = start + 1; index < end - 1 && !escaped; index += 1) escaped = json[index] === BACKSLASH;
  if (escaped) {
    // An escaped key ("mod\u0065l"): decode it.
    const key = Buffer.from(JSON.parse(json.toString("utf8", start, end)) as string, "utf8");
    return wanted.findIndex((candidate) => candidate.equals(key));
  }
  const length = end - start - 2;
  for (let which = 0; which < wanted.length; which += 1) {
    const candidate = wanted[which] as Buffer;
    if (candidate.length !== length) continue;
    let same = true;
    for (let offset = 0; offset < length && same; offset += 1) same = candidate[offset] === json[start + 1 + offset];
    if (same) return which;
  }
  return -1;
}

function scanTopLevel(json: Buffer, wanted: readonly Buffer[]): TopLevel {
  let index = skipSpace(json, 0);
  if (json[index] !== OPEN_BRACE) throw new SyntaxError("not an object");
  const bodyStart = index + 1;
  const found: TopLevel["found"] = new Map();
  index = skipSpace(json, bodyStart);
  const empty = json[index] === CLOSE_BRACE;
  while (!empty) {
    if (json[index] !== QUOTE) throw new SyntaxError("expected a key");
    const keyEnd = skipString(json, index);
    const which = wantedKey(json, index, keyEnd, wanted);
    index = skipSpace(json, keyEnd);
    if (json[index] !== COLON) throw new SyntaxError("expected ':'");
    const start = skipSpace(json, index + 1);
    const end = skipValue(json, start);
    if (which >= 0) found.set(which, { start, end, count: (found.get(which)?.count ?? 0) + 1 });
    index = skipSpace(json, end);
    if (json[index] === COMMA) {
      index = skipSpace(json, index + 1);
      continue;
    }
    if (json[index] === CLOSE_BRACE) break;
    throw new SyntaxError("expected ',' or '}'");
  }
  return { bodyStart, empty, found };
}

/**
 * `json` (a JSON object's text, already known to parse) with each of `members` set to its value:
 * replaced where the key is present, added at the front where it is not. Undefined when the
 * splice cannot be exact, and the caller should serialise the parsed body instead: the text is not
 * valid UTF-8 (JSON.parse saw replacement characters), a key to set occurs more than once (which
 * occurrence an upstream honours is its own choice), or the text is not a JSON object.
 */
export function withTopLevelMembers(json: Buffer, members: Record<string, unknown>): Buffer | undefined {
  if (!isUtf8(json)) return undefined;
  const keys = Object.keys(members);
  let top: TopLevel;
  try {
    top = scanTopLevel(json, keys.map((key) => Buffer.from(key, "utf8")));
  } catch {
    return undefined;
  }
  const replacements: Array<{ start: number; end: number; text: string }> = [];
  const added: string[] = [];
  for (const [which, key] of keys.entries()) {
    const text = JSON.stringify(members[key]);
    const found = top.found.get(which);
    if (found && found.count > 1) return undefined;
    if (found) replacements.push({ start: found.start, end: found.end, text });
    else added.push(`${JSON.stringify(key)}:${text}`);
  }
  replacements.sort((a, b) => a.start - b.start);
  const parts: Buffer[] = [json.subarray(0, top.bodyStart)];
  if (added.length > 0) parts.push(Buffer.from(`${added.join(",")}${top.empty ? "" : ","}`, "utf8"));
  let at = top.bodyStart;
  for (const replacement of replacements) {
    parts.push(json.subarray(at, replacement.start), Buffer.from(replacement.text, "utf8"));
    at = replacement.end;
  }
  parts.push(json.subarray(at));
  return Buffer.concat(parts);
}
