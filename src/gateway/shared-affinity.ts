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
import type { Redis } from "ioredis";
import { AffinityTable } from "../routing/affinity.js";
import type { CachePrefix } from "../routing/cache-prefixes.js";
import { ReplicaChannel } from "./redis-channel.js";

/** On the wire (with the publishing replica's `from`): the deployment, and [hash, ttl, tokens] per prefix. */
interface AffinityMessage {
  deployment: string;
  prefixes: [string, CachePrefix["ttl"], number][];
}

function readMessage(value: Record<string, unknown>): AffinityMessage | undefined {
  const { deployment, prefixes } = value as Partial<AffinityMessage>;
  if (typeof deployment !== "string" || !Array.isArray(prefixes)) return undefined;
  const valid = prefixes.every(
    (prefix) => Array.isArray(prefix) && typeof prefix[0] === "string" && (prefix[1] === "5m" || prefix[1] === "1h") && Number.isSafeInteger(prefix[2]) && prefix[2] >= 0,
  );
  return valid ? { deployment, prefixes } : undefined;
}

export interface SharedAffinityOptions {
  /** The pub/sub channel ("<key_prefix>affinity"). */
  channel: string;
  onError: (error: Error) => void;
  /** Whether this replica has a deployment by that id (what others learn about the rest is ignored). */
  isDeployment?: (id: string) => boolean;
  maxEntries?: number;
  now?: () => number;
}

export class SharedAffinityTable extends AffinityTable {
  private channel: ReplicaChannel | undefined;

  private constructor(options: SharedAffinityOptions) {
    super(options.maxEntries, options.now);
  }

  /** Subscribes to the channel (redis-channel.ts), waiting up to `waitMs` for it, then starts either way. */
  static async start(publisher: Redis, options: SharedAffinityOptions & { waitMs: number }): Promise<SharedAffinityTable> {
    const table = new SharedAffinityTable(options);
    const isDeployment = options.isDeployment ?? (() => true);
    table.channel = await ReplicaChannel.open(
      publisher,
      { channel: options.channel, onError: options.onError, waitMs: options.waitMs, what: "prompt-cache affinity", fallback: "other replicas will learn it as they serve the prefix" },
      (value) => {
        const message = readMessage(value);
        if (!message || !isDeployment(message.deployment)) return;
        table.remember(message.prefixes.map(([hash, ttl, tokens]) => ({ hash, ttl, tokens })), message.deployment, true);
      },
    );
    return table;
  }

  /** Remembers, and publishes what is news (nothing is when `heard`: it came from another replica). */
  override remember(prefixes: CachePrefix[], deployment: string, heard = false): CachePrefix[] {
    const news = super.remember(prefixes, deployment, heard);
    if (news.length > 0) this.channel?.publish({ deployment, prefixes: news.map((prefix) => [prefix.hash, prefix.ttl, prefix.tokens]) } satisfies AffinityMessage, "prompt-cache affinity");
    return news;
  }

  stop(): void {
    this.channel?.stop();
  }
}
