/**
 * Fields each deployment has lately refused: a 400 whose message said the deployment does not
 * accept a field of the request (providers/shared/refused-fields.ts), which fails over to the
 * next deployment. A later request that carries such a field tries that deployment last, so that
 * it does not pay a round trip to the same 400 before reaching a deployment that takes it (every
 * Claude Code request with `output_config.effort` through a Bedrock-first route, say). A refusal
 * is remembered for REFUSAL_MEMORY_MS: upstreams add fields, and a deployment tried last still
 * serves if none before it can. With a `redis:` section, what one replica learns it tells the
 * others (`tell`, and `hear` on theirs: gateway/shared-news.ts); otherwise each learns on its own.
 *
 * A refusal says something only of requests of the same kind (its RefusalScope): count_tokens
 * refuses generation fields (`max_tokens`, `stream`) that every Messages request carries, and a
 * call without the beta that enables a field (`context_management` without
 * `context-management-2025-06-27`) is refused a field that a call with it is served.
 */
export const REFUSAL_MEMORY_MS = 3_600_000;
/**
 * Fields remembered per deployment and scope, the most recently refused kept: a client sending a
 * new made-up field with every request must not grow the table, nor the check every request makes
 * against it.
 */
export const MAX_REFUSED_FIELDS = 64;
/**
 * Scopes remembered per deployment, those with the most recent refusal kept: a client sending a
 * made-up anthropic-beta set with every request must not grow the table either.
 */
export const MAX_REFUSAL_SCOPES = 16;

/** The endpoints whose requests learn refusals, each for its own requests. */
export const REFUSAL_ENDPOINTS = ["messages", "count_tokens"] as const;
export type RefusalEndpoint = (typeof REFUSAL_ENDPOINTS)[number];

/** The kind of request a refusal was learned from, and the only kind it applies to. */
export interface RefusalScope {
  endpoint: RefusalEndpoint;
  /** The request's anthropic-beta values, sorted, each once. */
  betas: readonly string[];
  /** The two as one map key. */
  key: string;
}

const NO_BETAS: Record<RefusalEndpoint, RefusalScope> = {
  messages: { endpoint: "messages", betas: [], key: "messages" },
  count_tokens: { endpoint: "count_tokens", betas: [], key: "count_tokens" },
};

/** The scope of a request to `endpoint` with these anthropic-beta values (in any order, repeats allowed). */
export function refusalScope(endpoint: RefusalEndpoint, betas: readonly string[]): RefusalScope {
  if (betas.length === 0) return NO_BETAS[endpoint];
  const normalised = [...new Set(betas)].sort();
  return { endpoint, betas: normalised, key: `${endpoint} ${normalised.join(",")}` };
}

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

/** What a deployment refused requests of one scope: refused field ("tools.*.defer_loading") -> its refusal. */
interface ScopedRefusals {
  scope: RefusalScope;
  fields: Map<string, Refusal>;
}

export class FieldRefusals {
  /** Deployment id -> scope key -> what it refused in that scope. */
  private readonly byDeployment = new Map<string, Map<string, ScopedRefusals>>();

  constructor(
    private readonly memoryMs = REFUSAL_MEMORY_MS,
    private readonly maxFields = MAX_REFUSED_FIELDS,
    private readonly maxScopes = MAX_REFUSAL_SCOPES,
  ) {}

  /** Whether nothing is remembered: a request need not work out its scope to be ranked as it is. */
  get empty(): boolean {
    return this.byDeployment.size === 0;
  }

  /** Called with the fields (as learned paths) this replica newly learned a deployment refuses in a scope, for the others. */
  tell: ((deployment: string, scope: RefusalScope, fields: string[], forMs: number) => void) | undefined;

  /**
   * Remembers fields a deployment refused in answer to `body`, a request of `scope` (the paths as
   * the upstream wrote them); returns them as learned, the form `drop_fields` takes
   * ("tools.*.defer_loading").
   */
  learn(deployment: string, scope: RefusalScope, fields: readonly string[], body: Record<string, unknown>, now: number): string[] {
    const learned = fields.map((field) => pathInBody(body, field.split(".")));
    const news = this.remember(deployment, scope, learned, now + this.memoryMs, now);
    if (news.length > 0) this.tell?.(deployment, scope, news, this.memoryMs);
    return learned.map((segments) => segments.join("."));
  }

  /** Remembers fields another replica learned this deployment refuses in a scope (learned paths, `*` for any element), for `forMs`. */
  hear(deployment: string, scope: RefusalScope, fields: readonly string[], forMs: number, now: number): void {
    this.remember(deployment, scope, fields.map((field) => field.split(".")), now + Math.min(forMs, this.memoryMs), now);
  }

  /** Stores refusals until `until`; returns the fields that were not remembered before. */
  private remember(deployment: string, scope: RefusalScope, learned: readonly string[][], until: number, now: number): string[] {
    let scopes = this.byDeployment.get(deployment);
    if (!scopes) {
      scopes = new Map();
      this.byDeployment.set(deployment, scopes);
    }
    const refused = scopes.get(scope.key)?.fields ?? new Map<string, Refusal>();
    // Deleted first, so that the maps' order is the order of the latest refusals.
    scopes.delete(scope.key);
    scopes.set(scope.key, { scope, fields: refused });
    const news: string[] = [];
    for (const segments of learned) {
      const key = segments.join(".");
      const known = refused.get(key);
      if (known === undefined || known.until <= now) news.push(key);
      refused.delete(key);
      refused.set(key, { segments, until: Math.max(until, known?.until ?? 0) });
    }
    dropOldest(refused, this.maxFields);
    dropOldest(scopes, this.maxScopes);
    // Fields the cap pushed out again are no news.
    return news.filter((key) => refused.has(key));
  }

  /** The first field this deployment refused within its memory, in requests of this scope, that the body carries; forgets expired ones. */
  refusedIn(deployment: string, scope: RefusalScope, body: Record<string, unknown>, now: number): string | undefined {
    const scopes = this.byDeployment.get(deployment);
    const refused = scopes?.get(scope.key)?.fields;
    if (!scopes || !refused) return undefined;
    let found: string | undefined;
    for (const [field, refusal] of refused) {
      if (refusal.until <= now) refused.delete(field);
      else if (found === undefined && carries(body, refusal.segments)) found = field;
    }
    if (refused.size === 0) scopes.delete(scope.key);
    if (scopes.size === 0) this.byDeployment.delete(deployment);
    return found;
  }

  /** The fields a deployment refused that are still remembered, with until when and in which requests (for the health endpoint). */
  list(deployment: string, now: number): { field: string; until: number; endpoint: RefusalEndpoint; betas: readonly string[] }[] {
    const scopes = this.byDeployment.get(deployment);
    if (!scopes) return [];
    return [...scopes.values()].flatMap(({ scope, fields }) =>
      [...fields].filter(([, refusal]) => refusal.until > now).map(([field, refusal]) => ({ field, until: refusal.until, endpoint: scope.endpoint, betas: scope.betas })),
    );
  }

  /**
   * The ranking with each deployment that refused a field this body carries, in a request of this
   * scope, moved to the end, in their order; undefined when none is (nothing is allocated: the
   * common case costs a size check, or a lookup per candidate once something was learned).
   */
  demote<T extends { deployment: { id: string } }>(ranked: readonly T[], scope: RefusalScope, body: Record<string, unknown>, now: number): { ranked: T[]; triedLast: TriedLast[] } | undefined {
    if (this.byDeployment.size === 0) return undefined;
    let first: T[] | undefined;
    let last: T[] | undefined;
    let triedLast: TriedLast[] | undefined;
    for (const [index, candidate] of ranked.entries()) {
      const field = this.refusedIn(candidate.deployment.id, scope, body, now);
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

/** Deletes a map's first (oldest) entries until it holds at most `size`. */
function dropOldest(map: Map<string, unknown>, size: number): void {
  for (const oldest of map.keys()) {
    if (map.size <= size) break;
    map.delete(oldest);
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
