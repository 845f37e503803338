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
 * replicas' clocks need not agree. News about a deployment this replica does not have is ignored.
 */
import type { Redis } from "ioredis";
import type { FieldRefusals } from "../routing/field-refusals.js";
import type { HealthBook, HealthNews } from "../routing/health.js";
import { jsonObject, ReplicaChannel } from "./redis-channel.js";

/** On the wire: the publishing replica, the deployment, and one piece of news. */
type NewsMessage = { from: string; deployment: string } & ({ health: HealthNews } | { refused: { fields: string[]; forMs: number } });

const MAX_FIELDS = 64;
const MAX_TEXT = 256;

const isDuration = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value > 0;
const isText = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= MAX_TEXT;

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
  const { from, deployment, health, refused } = value;
  if (!isText(from) || !isText(deployment) || (health !== undefined && refused !== undefined)) return undefined;
  if (health !== undefined) {
    const news = healthNews(health);
    return news ? { from, deployment, health: news } : undefined;
  }
  if (typeof refused !== "object" || refused === null) return undefined;
  const { fields, forMs } = refused as { fields?: unknown; forMs?: unknown };
  if (!Array.isArray(fields) || fields.length === 0 || fields.length > MAX_FIELDS || !fields.every(isText) || !isDuration(forMs)) return undefined;
  return { from, deployment, refused: { fields, forMs } };
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
        else refusals.hear(message.deployment, message.refused.fields, message.refused.forMs, now());
      },
    );
    health.tell = (deployment, told) => channel.publish({ deployment, health: told }, "deployment health");
    refusals.tell = (deployment, fields, forMs) => channel.publish({ deployment, refused: { fields, forMs } }, "a refused field");
    return new SharedNews(channel, options);
  }

  /** Stops telling and hearing: what the health book and refusals learn from now on stays here. */
  stop(): void {
    this.options.health.tell = undefined;
    this.options.refusals.tell = undefined;
    this.channel.stop();
  }
}
