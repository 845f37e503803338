/** Redis pub/sub for what replicas tell each other (shared-affinity.ts, shared-news.ts). */
import type { Redis } from "ioredis";
import { within } from "../util/within.js";

export interface ChannelOptions {
  channel: string;
  onMessage: (text: string) => void;
  onError: (error: Error) => void;
  waitMs: number;
  /** What stays per replica while the channel is not subscribed ("prompt-cache affinity"). */
  what: string;
}

/**
 * Subscribes to a channel on a connection of its own (a subscribed Redis connection runs nothing
 * else), which queues the subscription until it is connected and subscribes again after every
 * reconnect. Waits up to `waitMs` for it, then returns either way; disconnect the returned
 * connection to stop.
 */
export async function subscribeChannel(publisher: Redis, options: ChannelOptions): Promise<Redis> {
  const subscriber = publisher.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
  subscriber.on("error", (error: Error) => options.onError(error));
  subscriber.on("message", (channel: string, text: string) => {
    if (channel === options.channel) options.onMessage(text);
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
