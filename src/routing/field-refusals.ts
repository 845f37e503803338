/**
 * Fields each deployment has lately refused: a 400 whose message said the deployment does not
 * accept a field of the request (providers/shared/refused-fields.ts), which fails over to the
 * next deployment. A later request that carries such a field tries that deployment last, so that
 * it does not pay a round trip to the same 400 before reaching a deployment that takes it (every
 * Claude Code request with `output_config.effort` through a Bedrock-first route, say). A refusal
 * is remembered for REFUSAL_MEMORY_MS: upstreams add fields, and a deployment tried last still
 * serves if none before it can. With a `redis:` section, what one replica learns it tells the
 * others (`tell`, and `hear` on theirs: gateway/shared-news.ts); otherwise each learns on its own.
 */
export const REFUSAL_MEMORY_MS = 3_600_000;
/**
 * Fields remembered per deployment, the most recently refused kept: a client sending a new made-up
 * field with every request must not grow the table, nor the check every request makes against it.
 */
export const MAX_REFUSED_FIELDS = 64;

/** A deployment moved to the end of a request's ranking, and the field it refused. */
export interface TriedLast {
  deployment: string;
  field: string;
}

interface Refusal {
  /** The field's path in the body, `*` for any array element. */
  segments: readonly string[];
  until: number;
}

export class FieldRefusals {
  /** Deployment id -> refused field ("tools.*.defer_loading") -> its refusal. */
  private readonly byDeployment = new Map<string, Map<string, Refusal>>();

  constructor(
    private readonly memoryMs = REFUSAL_MEMORY_MS,
    private readonly maxFields = MAX_REFUSED_FIELDS,
  ) {}

  /** Called with the fields (as learned paths) this replica newly learned a deployment refuses, for the others. */
  tell: ((deployment: string, fields: string[], forMs: number) => void) | undefined;

  /**
   * Remembers fields a deployment refused in answer to `body` (the paths as the upstream wrote
   * them); returns them as learned, the form `drop_fields` takes ("tools.*.defer_loading").
   */
  learn(deployment: string, fields: readonly string[], body: Record<string, unknown>, now: number): string[] {
    const learned = fields.map((field) => pathInBody(body, field.split(".")));
    const news = this.remember(deployment, learned, now + this.memoryMs, now);
    if (news.length > 0) this.tell?.(deployment, news, this.memoryMs);
    return learned.map((segments) => segments.join("."));
  }

  /** Remembers fields another replica learned this deployment refuses (learned paths, `*` for any element), for `forMs`. */
  hear(deployment: string, fields: readonly string[], forMs: number, now: number): void {
    this.remember(deployment, fields.map((field) => field.split(".")), now + Math.min(forMs, this.memoryMs), now);
  }

  /** Stores refusals until `until`; returns the fields that were not remembered before. */
  private remember(deployment: string, learned: readonly string[][], until: number, now: number): string[] {
    let refused = this.byDeployment.get(deployment);
    if (!refused) {
      refused = new Map();
      this.byDeployment.set(deployment, refused);
    }
    const news: string[] = [];
    for (const segments of learned) {
      const key = segments.join(".");
      const known = refused.get(key);
      if (known === undefined || known.until <= now) news.push(key);
      // Deleted first, so that the map's order is the order of the latest refusals.
      refused.delete(key);
      refused.set(key, { segments, until: Math.max(until, known?.until ?? 0) });
    }
    for (const oldest of refused.keys()) {
      if (refused.size <= this.maxFields) break;
      refused.delete(oldest);
    }
    // Fields the cap pushed out again are no news.
    return news.filter((key) => refused.has(key));
  }

  /** The first field this deployment refused within its memory that the body carries; forgets expired ones. */
  refusedIn(deployment: string, body: Record<string, unknown>, now: number): string | undefined {
    const refused = this.byDeployment.get(deployment);
    if (!refused) return undefined;
    let found: string | undefined;
    for (const [field, refusal] of refused) {
      if (refusal.until <= now) refused.delete(field);
      else if (found === undefined && carries(body, refusal.segments)) found = field;
    }
    if (refused.size === 0) this.byDeployment.delete(deployment);
    return found;
  }

  /** The fields a deployment refused that are still remembered, with until when (for the health endpoint). */
  list(deployment: string, now: number): { field: string; until: number }[] {
    const refused = this.byDeployment.get(deployment);
    if (!refused) return [];
    return [...refused].filter(([, refusal]) => refusal.until > now).map(([field, refusal]) => ({ field, until: refusal.until }));
  }

  /**
   * The ranking with each deployment that refused a field this body carries moved to the end, in
   * their order; undefined when none is (nothing is allocated: the common case costs a size check,
   * or a lookup per candidate once something was learned).
   */
  demote<T extends { deployment: { id: string } }>(ranked: readonly T[], body: Record<string, unknown>, now: number): { ranked: T[]; triedLast: TriedLast[] } | undefined {
    if (this.byDeployment.size === 0) return undefined;
    let first: T[] | undefined;
    let last: T[] | undefined;
    let triedLast: TriedLast[] | undefined;
    for (const [index, candidate] of ranked.entries()) {
      const field = this.refusedIn(candidate.deployment.id, body, now);
      if (field === undefined) {
        first?.push(candidate);
        continue;
      }
      first ??= ranked.slice(0, index);
      (last ??= []).push(candidate);
      (triedLast ??= []).push({ deployment: candidate.deployment.id, field });
    }
    // Every candidate refused it: none moves, the order stands.
    return first && first.length > 0 && last && triedLast ? { ranked: [...first, ...last], triedLast } : undefined;
  }
}

/**
 * A refused path as a path in the body that drew the refusal: array indexes become `*` (the same
 * field refused at another index is the same refusal), and a segment naming the kind of the block
 * it is in is left out. The model's check writes a block's kind into its paths: "tools.11.custom.
 * defer_loading" (`custom` is the tool union's member for a tool with no `type`), "messages.0.
 * content.0.text.cache_control.ttl" (a text block, which also has a `text` member). From the
 * first segment the body does not hold, the path is kept as written.
 */
function pathInBody(body: unknown, segments: readonly string[]): string[] {
  const mapped: string[] = [];
  let value = body;
  for (const [index, segment] of segments.entries()) {
    if (Array.isArray(value) && /^\d+$/.test(segment)) {
      mapped.push("*");
      value = value[Number(segment)];
      continue;
    }
    if (isRecord(value)) {
      const next = segments[index + 1];
      const kind = typeof value.type === "string" ? value.type : "custom";
      // The kind, when what follows it is a member of this block rather than of a member so named.
      if (segment === kind && next !== undefined && (Object.hasOwn(value, next) || !isRecord(value[segment]))) continue;
      if (Object.hasOwn(value, segment)) {
        mapped.push(segment);
        value = value[segment];
        continue;
      }
    }
    mapped.push(...segments.slice(index));
    break;
  }
  return mapped;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a value holds something at a path of member names; `*` (or a number) stands for any element of an array. */
export function carries(value: unknown, path: readonly string[], from = 0): boolean {
  if (from === path.length) return value !== undefined;
  if (typeof value !== "object" || value === null) return false;
  const segment = path[from] as string;
  if (Array.isArray(value)) return (segment === "*" || /^\d+$/.test(segment)) && value.some((element) => carries(element, path, from + 1));
  return Object.hasOwn(value, segment) && carries((value as Record<string, unknown>)[segment], path, from + 1);
}
