/**
 * Fields each deployment has lately refused: a 400 whose message said the deployment does not
 * accept a field of the request (providers/shared/refused-fields.ts), which fails over to the
 * next deployment. A later request that carries such a field tries that deployment last, so that
 * it does not pay a round trip to the same 400 before reaching a deployment that takes it (every
 * Claude Code request with `output_config.effort` through a Bedrock-first route, say). A refusal
 * is remembered for REFUSAL_MEMORY_MS: upstreams add fields, and a deployment tried last still
 * serves if none before it can. Each replica learns on its own.
 */
export const REFUSAL_MEMORY_MS = 3_600_000;

/** A deployment moved to the end of a request's ranking, and the field it refused. */
export interface TriedLast {
  deployment: string;
  field: string;
}

export class FieldRefusals {
  /** Deployment id -> refused field (dotted path) -> until when (ms since the epoch). */
  private readonly byDeployment = new Map<string, Map<string, number>>();

  constructor(private readonly memoryMs = REFUSAL_MEMORY_MS) {}

  learn(deployment: string, fields: readonly string[], now: number): void {
    let refused = this.byDeployment.get(deployment);
    if (!refused) {
      refused = new Map();
      this.byDeployment.set(deployment, refused);
    }
    for (const field of fields) refused.set(field, now + this.memoryMs);
  }

  /** The first field this deployment refused within its memory that the body carries; forgets expired ones. */
  refusedIn(deployment: string, body: Record<string, unknown>, now: number): string | undefined {
    const refused = this.byDeployment.get(deployment);
    if (!refused) return undefined;
    let found: string | undefined;
    for (const [field, until] of refused) {
      if (until <= now) refused.delete(field);
      else if (found === undefined && carries(body, field.split("."))) found = field;
    }
    if (refused.size === 0) this.byDeployment.delete(deployment);
    return found;
  }

  /**
   * The ranking with each deployment that refused a field this body carries moved to the end, in
   * their order; undefined when none is (nothing is copied: the common case costs one size check).
   */
  demote<T extends { deployment: { id: string } }>(ranked: readonly T[], body: Record<string, unknown>, now: number): { ranked: T[]; triedLast: TriedLast[] } | undefined {
    if (this.byDeployment.size === 0) return undefined;
    const first: T[] = [];
    const last: T[] = [];
    const triedLast: TriedLast[] = [];
    for (const candidate of ranked) {
      const field = this.refusedIn(candidate.deployment.id, body, now);
      if (field === undefined) first.push(candidate);
      else {
        last.push(candidate);
        triedLast.push({ deployment: candidate.deployment.id, field });
      }
    }
    return triedLast.length === 0 ? undefined : { ranked: [...first, ...last], triedLast };
  }
}

/** Whether a value holds something at a path of member names; a number in the path stands for any element of an array. */
export function carries(value: unknown, path: readonly string[], from = 0): boolean {
  if (from === path.length) return value !== undefined;
  if (typeof value !== "object" || value === null) return false;
  const segment = path[from] as string;
  if (Array.isArray(value)) return /^\d+$/.test(segment) && value.some((element) => carries(element, path, from + 1));
  return Object.hasOwn(value, segment) && carries((value as Record<string, unknown>)[segment], path, from + 1);
}
