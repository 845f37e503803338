/**
 * What replicas tell each other about deployments, through Redis pub/sub: a circuit breaker that
 * opened or closed, a deployment cooling after a retry-after (routing/health.ts), and fields a
 * deployment refused (routing/field-refusals.ts). Each replica still decides from its own state,
 * with no network hop per request; what one learns the others apply within milliseconds. So a
 * deployment that fails on one replica is skipped by all of them, instead of each replica paying
 * `failure_threshold` failed attempts of its own; a throttled upstream account (which every
 * replica shares) is left alone everywhere until its retry-after; and a field one replica saw
 * refused is sent elsewhere first by every replica.
 *
 * News is a hint, like affinity: a replica that misses it (it started later, Redis was away)
 * learns the same from its own requests. Durations travel as "for N ms", not as clock times, so
 * replicas' clocks need not agree. News about a deployment this replica does not have is ignored,
 * and so is a refusal that does not say which requests it concerns (its endpoint and betas: a
 * replica of an earlier version sends none), since it would apply to every request.
 *
 * A refusal is sent as `refusal`, not as the `refused` of those earlier versions: they read
 * `refused` as applying to every request of the deployment, and ignore a message with neither
 * `health` nor `refused`, so during a rolling deploy an old replica does not take a new one's
 * count_tokens refusal of `max_tokens` for one of every Messages request. `refused` with its
 * endpoint and betas (sent by the versions between) is still read.
 */
import type { Redis } from "ioredis";
import { REFUSAL_ENDPOINTS, refusalScope, type FieldRefusals, type RefusalEndpoint } from "../routing/field-refusals.js";
import type { HealthBook, HealthNews } from "../routing/health.js";
import { jsonObject, ReplicaChannel } from "./redis-channel.js";

/** Refused fields on the wire: the requests they were refused in (an endpoint and its anthropic-beta values), and for how long. */
interface RefusedNews {
  fields: string[];
  forMs: number;
  endpoint: RefusalEndpoint;
  betas: string[];
}

/** As read: the publishing replica, the deployment, and one piece of news (a refusal arrives as `refusal`, or an earlier version's scoped `refused`). */
type NewsMessage = { from: string; deployment: string } & ({ health: HealthNews } | { refused: RefusedNews });

const MAX_FIELDS = 64;
const MAX_BETAS = 64;
const MAX_TEXT = 256;

const isDuration = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value > 0;
const isText = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= MAX_TEXT;
const isTextList = (value: unknown, most: number): value is string[] => Array.isArray(value) && value.length <= most && value.every(isText);
const isEndpoint = (value: unknown): value is RefusalEndpoint => REFUSAL_ENDPOINTS.includes(value as RefusalEndpoint);

function healthNews(value: unknown): HealthNews | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const news = value as { kind?: unknown; forMs?: unknown; cooldownMs?: unknown };
  if (news.kind === "closed") return { kind: "closed" };
  if (!isDuration(news.forMs)) return undefined;
  // How long is the hearer's to cap (HealthBook.hear: max_cooldown_ms).
  if (news.kind === "cooling") return { kind: "cooling", forMs: news.forMs };
  if (news.kind === "opened" && isDuration(news.cooldownMs)) return { kind: "opened", forMs: news.forMs, cooldownMs: news.cooldownMs };
  return undefined;
}

/** A message as sent by a replica, or undefined for anything else on the channel. */
export function parseNews(text: string): NewsMessage | undefined {
  const value = jsonObject(text);
  return value ? readNews(value) : undefined;
}

function readNews(value: Record<string, unknown>): NewsMessage | undefined {
  const { from, deployment, health } = value;
  const refused = value.refusal ?? value.refused;
  if (!isText(from) || !isText(deployment) || (value.refusal !== undefined && value.refused !== undefined) || (health !== undefined && refused !== undefined)) return undefined;
  if (health !== undefined) {
    const news = healthNews(health);
    return news ? { from, deployment, health: news } : undefined;
  }
  if (typeof refused !== "object" || refused === null) return undefined;
  const { fields, forMs, endpoint, betas } = refused as { fields?: unknown; forMs?: unknown; endpoint?: unknown; betas?: unknown };
  if (!isTextList(fields, MAX_FIELDS) || fields.length === 0 || !isDuration(forMs) || !isEndpoint(endpoint) || !isTextList(betas, MAX_BETAS)) return undefined;
  return { from, deployment, refused: { fields, forMs, endpoint, betas } };
}

export interface SharedNewsOptions {
  /** This replica's health book and field refusals: what they learn is told, and they hear the others. */
  health: HealthBook;
  refusals: FieldRefusals;
  /** The pub/sub channel ("<key_prefix>deployments"). */
  channel: string;
  /** Whether this replica has a deployment by that id (news about others is ignored). */
  isDeployment: (id: string) => boolean;
  onError: (error: Error) => void;
  now: () => number;
  waitMs: number;
}

export class SharedNews {
  private constructor(
    private readonly channel: ReplicaChannel,
    private readonly options: SharedNewsOptions,
  ) {}

  /** Subscribes to the channel (redis-channel.ts), waiting up to `waitMs` for it, then starts either way. */
  static async start(publisher: Redis, options: SharedNewsOptions): Promise<SharedNews> {
    const { health, refusals, isDeployment, now } = options;
    const channel = await ReplicaChannel.open(
      publisher,
      { channel: options.channel, onError: options.onError, waitMs: options.waitMs, what: "deployment health", fallback: "other replicas will learn it from their own requests" },
      (value) => {
        const message = readNews(value);
        if (!message || !isDeployment(message.deployment)) return;
        if ("health" in message) health.hear(message.deployment, message.health, message.from);
        else refusals.hear(message.deployment, refusalScope(message.refused.endpoint, message.refused.betas), message.refused.fields, message.refused.forMs, now());
      },
    );
    health.tell = (deployment, told) => channel.publish({ deployment, health: told }, "deployment health");
    refusals.tell = (deployment, scope, fields, forMs) => channel.publish({ deployment, refusal: { fields, forMs, endpoint: scope.endpoint, betas: scope.betas } }, "a refused field");
    return new SharedNews(channel, options);
  }

  /** Stops telling and hearing: what the health book and refusals learn from now on stays here. */
  stop(): void {
    this.options.health.tell = undefined;
    this.options.refusals.tell = undefined;
    this.channel.stop();
  }
}
