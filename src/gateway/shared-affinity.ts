/**
 * Prompt-cache affinity shared by replicas through Redis pub/sub. Each replica keeps its own
 * AffinityTable, so routing reads it at once with no network hop; what one replica learns (this
 * deployment now holds these prefixes) it also publishes on a channel, and every other replica
 * applies it to its own table. A replica that starts later, or misses messages while Redis is
 * away, learns the prefixes again as it serves them: affinity is a hint whose loss costs a cache
 * miss, never a wrong answer.
 *
 * Not every request is news. A prefix is announced when it is new, when it moved to another
 * deployment, or when a tenth of its TTL has passed since it was last announced (by any replica):
 * the others then see its expiry at most that much early, and a busy prefix costs one message per
 * 30 s (5-minute TTL) or 6 minutes (1-hour TTL), not one per request per replica.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { AffinityTable } from "../routing/affinity.js";
import type { CachePrefix } from "../routing/cache-prefixes.js";
import { jsonObject, subscribeChannel } from "./redis-channel.js";

/** On the wire: the publishing replica, the deployment, and [hash, ttl, tokens] per prefix. */
interface AffinityMessage {
  from: string;
  deployment: string;
  prefixes: [string, CachePrefix["ttl"], number][];
}

function parseMessage(text: string): AffinityMessage | undefined {
  const value = jsonObject(text);
  if (!value) return undefined;
  const { from, deployment, prefixes } = value as Partial<AffinityMessage>;
  if (typeof from !== "string" || typeof deployment !== "string" || !Array.isArray(prefixes)) return undefined;
  const valid = prefixes.every(
    (prefix) => Array.isArray(prefix) && typeof prefix[0] === "string" && (prefix[1] === "5m" || prefix[1] === "1h") && Number.isSafeInteger(prefix[2]) && prefix[2] >= 0,
  );
  return valid ? { from, deployment, prefixes } : undefined;
}

export interface SharedAffinityOptions {
  /** The pub/sub channel ("<key_prefix>affinity"). */
  channel: string;
  onError: (error: Error) => void;
  maxEntries?: number;
  now?: () => number;
}

export class SharedAffinityTable extends AffinityTable {
  /** Tells this replica's own messages apart from the others'. */
  private readonly replica = randomUUID();

  private subscriber: Redis | undefined;

  private constructor(
    private readonly publisher: Redis,
    private readonly options: SharedAffinityOptions,
  ) {
    super(options.maxEntries, options.now);
  }

  /** Subscribes to the channel (redis-channel.ts), waiting up to `waitMs` for it, then starts either way. */
  static async start(publisher: Redis, options: SharedAffinityOptions & { waitMs: number }): Promise<SharedAffinityTable> {
    const table = new SharedAffinityTable(publisher, options);
    table.subscriber = await subscribeChannel(publisher, { channel: options.channel, onMessage: (text) => table.receive(text), onError: options.onError, waitMs: options.waitMs, what: "prompt-cache affinity" });
    return table;
  }

  /** Remembers, and publishes what is news (nothing is when `heard`: it came from another replica). */
  override remember(prefixes: CachePrefix[], deployment: string, heard = false): CachePrefix[] {
    const news = super.remember(prefixes, deployment, heard);
    if (news.length === 0) return news;
    const message: AffinityMessage = { from: this.replica, deployment, prefixes: news.map((prefix) => [prefix.hash, prefix.ttl, prefix.tokens]) };
    this.publisher.publish(this.options.channel, JSON.stringify(message)).catch((error: unknown) => {
      this.options.onError(new Error(`publishing prompt-cache affinity failed (${error instanceof Error ? error.message : String(error)}); other replicas will learn it as they serve the prefix`));
    });
    return news;
  }

  private receive(text: string): void {
    const message = parseMessage(text);
    if (!message || message.from === this.replica) return;
    const prefixes = message.prefixes.map(([hash, ttl, tokens]) => ({ hash, ttl, tokens }));
    this.remember(prefixes, message.deployment, true);
  }

  stop(): void {
    this.subscriber?.disconnect();
  }
}
