/**
 * A deployment's `drop_fields`: request fields removed before the request goes to it. For fields
 * a deployment refuses (Bedrock answers a member it does not know with "extraneous key [x]" or
 * "x: Extra inputs are not permitted") that its callers send and can do without: Claude Code's
 * `tools.*.defer_loading` on a Bedrock-only setup (anthropics/claude-code#82549), say. Only what
 * the config names is removed; the ledger row's warnings say what was.
 *
 * A path is member names joined by dots; `*` stands for every element of an array
 * ("tools.*.defer_loading"). The body is not changed: what leads to a removed member is copied.
 * The config checks each entry at load (dropFieldProblem); the gateway applies them per attempt.
 */
import type { Deployment } from "./load-gateway-config.js";

/** What no request can be sent without (what is inside may be dropped: messages.*.content.*.citations). */
const PROTECTED = new Set(["model", "messages", "max_tokens", "stream", "messages.*.role", "messages.*.content"]);
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|\*))*$/;

/** Why a `drop_fields` entry cannot be used, or undefined. */
export function dropFieldProblem(path: string): string | undefined {
  if (!PATH.test(path)) return `${JSON.stringify(path)} is not a field path: member names joined by dots, * for every element of an array (e.g. tools.*.defer_loading)`;
  if (path.endsWith(".*")) return `${JSON.stringify(path)} would drop array elements; name a member inside them (e.g. ${path}.defer_loading)`;
  if (PROTECTED.has(path)) return `${path} cannot be dropped: no request can go without it`;
  return undefined;
}

/** A `drop_fields` entry, split at its dots once, when the config is loaded. */
export interface DropPath {
  path: string;
  segments: readonly string[];
}

export function dropPath(path: string): DropPath {
  return { path, segments: path.split(".") };
}

/** A request body as it goes to a deployment: without its `drop_fields`, and which of them were there. */
export interface SentBody {
  body: Record<string, unknown>;
  dropped: readonly string[];
}

const NOTHING_DROPPED: readonly string[] = [];

/** The body without the deployment's `drop_fields`; the same object (nothing copied) when none of them is there. */
export function withoutDropFields(deployment: Pick<Deployment, "dropFields">, body: Record<string, unknown>): SentBody {
  return deployment.dropFields.length === 0 ? { body, dropped: NOTHING_DROPPED } : withoutFields(body, deployment.dropFields);
}

/** Adds what the ledger row says of the fields dropped for a deployment (none: nothing). */
export function addDroppedWarning(warnings: string[], deployment: Pick<Deployment, "id">, sent: SentBody): void {
  if (sent.dropped.length > 0) warnings.push(`dropped ${sent.dropped.join(", ")} for ${deployment.id} (its drop_fields)`);
}

/** The body without the given paths, and which of them were there. */
export function withoutFields(body: Record<string, unknown>, paths: readonly DropPath[]): SentBody {
  let current = body;
  const dropped: string[] = [];
  for (const { path, segments } of paths) {
    const removed = without(current, segments, 0);
    if (removed !== NOTHING) {
      current = removed as Record<string, unknown>;
      dropped.push(path);
    }
  }
  return { body: current, dropped };
}

const NOTHING = Symbol("nothing removed");

/** The value without the path from segment `at` on (copied where it changed), or NOTHING. */
function without(value: unknown, segments: readonly string[], at: number): unknown {
  if (typeof value !== "object" || value === null) return NOTHING;
  const segment = segments[at] as string;
  const last = at === segments.length - 1;
  if (Array.isArray(value)) {
    if (segment !== "*") return NOTHING;
    let copy: unknown[] | undefined;
    value.forEach((element, index) => {
      const changed = without(element, segments, at + 1);
      if (changed === NOTHING) return;
      copy ??= [...value];
      copy[index] = changed;
    });
    return copy ?? NOTHING;
  }
  const record = value as Record<string, unknown>;
  if (segment === "*" || !Object.hasOwn(record, segment)) return NOTHING;
  if (last) {
    const { [segment]: _removed, ...rest } = record;
    return rest;
  }
  const changed = without(record[segment], segments, at + 1);
  return changed === NOTHING ? NOTHING : { ...record, [segment]: changed };
}
