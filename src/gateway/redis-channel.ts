/**
 * Redis pub/sub for what replicas tell each other (shared-affinity.ts, shared-news.ts): a
 * ReplicaChannel publishes this replica's messages, stamped with its id, and hands the others'
 * to its listener as JSON objects: never its own, nothing without a sender or too long to be a
 * replica's, and nothing once stopped.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { within } from "../util/within.js";

/** Longer text is not a message a replica sends (64 fields of 256 characters fit well within it). */
export const MAX_MESSAGE = 32 * 1024;

export interface ChannelOptions {
  channel: string;
  onError: (error: Error) => void;
  waitMs: number;
  /** What stays per replica while the channel is not subscribed ("prompt-cache affinity"). */
  what: string;
  /** What the others do without a message that could not be published ("other replicas will learn it …"). */
  fallback: string;
}

/**
 * Subscribes to a channel on a connection of its own (a subscribed Redis connection runs nothing
 * else), which queues the subscription until it is connected and subscribes again after every
 * reconnect. Waits up to `waitMs` for it, then returns either way; disconnect the returned
 * connection to stop.
 */
async function subscribeChannel(publisher: Redis, options: ChannelOptions, onMessage: (text: string) => void): Promise<Redis> {
  const subscriber = publisher.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
  subscriber.on("error", (error: Error) => options.onError(error));
  subscriber.on("message", (channel: string, text: string) => {
    if (channel === options.channel) onMessage(text);
  });
  const subscribed = subscriber.subscribe(options.channel).then(
    () => true,
    (error: unknown) => {
      options.onError(new Error(`subscribing to ${options.channel} failed (${error instanceof Error ? error.message : String(error)}); ${options.what} is per replica`));
      return true;
    },
  );
  if (!(await within(subscribed, options.waitMs))) options.onError(new Error(`not subscribed to ${options.channel} within ${options.waitMs} ms; ${options.what} is per replica until Redis answers`));
  return subscriber;
}

/** A message's JSON object, or undefined for text that is not one (anything may arrive on a channel). */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  if (text.length > MAX_MESSAGE) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** One replica's end of a channel: `from` on the wire tells its own messages apart from the others'. */
export class ReplicaChannel {
  private readonly replica = randomUUID();
  private stopped = false;
  private subscriber: Redis | undefined;

  private constructor(
    private readonly publisher: Redis,
    private readonly options: ChannelOptions,
  ) {}

  /**
   * Subscribes (waiting up to `waitMs`, then starting either way); `onMessage` gets each other
   * replica's message as a JSON object, `from` included.
   */
  static async open(publisher: Redis, options: ChannelOptions, onMessage: (message: Record<string, unknown>) => void): Promise<ReplicaChannel> {
    const channel = new ReplicaChannel(publisher, { ...options, onError: (error) => channel.stopped || options.onError(error) });
    channel.subscriber = await subscribeChannel(publisher, channel.options, (text) => {
      if (channel.stopped) return;
      const message = jsonObject(text);
      if (!message || typeof message.from !== "string" || message.from === channel.replica) return;
      // Thrown inside Redis's event handler, a fault would be an uncaught exception that stops this
      // replica: another replica's message (or a bug applying it) must never do that.
      try {
        onMessage(message);
      } catch (error) {
        channel.options.onError(new Error(`applying a message on ${options.channel} failed: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
    return channel;
  }

  /** Publishes `message` with this replica's id; a failure is reported (`what`: what was lost), not thrown. */
  publish(message: Record<string, unknown>, what: string): void {
    if (this.stopped) return;
    this.publisher.publish(this.options.channel, JSON.stringify({ from: this.replica, ...message })).catch((error: unknown) => {
      this.options.onError(new Error(`publishing ${what} failed (${error instanceof Error ? error.message : String(error)}); ${this.options.fallback}`));
    });
  }

  /** Stops publishing and hearing; errors from here on are not reported. */
  stop(): void {
    this.stopped = true;
    this.subscriber?.disconnect();
  }
}
