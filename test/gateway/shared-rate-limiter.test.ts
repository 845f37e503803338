/**
 * SharedRateLimiter (src/gateway/shared-rate-limiter.ts) against a real Redis: replicas share one
 * bucket per key, answer with the same headers and 429s as the per-replica RateLimiter, and fall
 * back to their own buckets when Redis does not answer. Redis must be running (127.0.0.1:6379, or
 * SWITCHYARD_TEST_REDIS_URL); .ci/run starts it.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { GatewayError } from "../../src/gateway/errors.js";
import { RateLimiter } from "../../src/gateway/rate-limiter.js";
import { SharedRateLimiter } from "../../src/gateway/shared-rate-limiter.js";
import { redisOptions } from "../../src/gateway/shared-state.js";
import { eventually } from "../helpers/eventually.js";
import { throttled } from "../../src/util/throttled.js";
import { REDIS_URL, START_REDIS, testRedis } from "../helpers/redis.js";


const prefix = `switchyard-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}:`;
const clients: Redis[] = [];

const connect = (url = REDIS_URL): Redis => testRedis(clients, url, { lazyConnect: true });

/** A replica's limiter: its own Redis connection and its own fallback buckets. */
async function replica(errors: Error[] = []): Promise<SharedRateLimiter> {
  const redis = connect();
  try {
    await redis.connect();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${REDIS_URL} (${(error as Error).message}); start it: ${START_REDIS}`);
  }
  return new SharedRateLimiter(redis, new RateLimiter(), { keyPrefix: prefix, onError: (error) => errors.push(error) });
}

function refusal(run: () => unknown): Promise<GatewayError> {
  return Promise.resolve()
    .then(run)
    .then(
      () => assert.fail("expected a 429"),
      (error: unknown) => {
        assert.ok(error instanceof GatewayError, String(error));
        return error;
      },
    );
}

before(async () => {
  await (await replica()).admit("warm-up", {}, 0);
});

after(async () => {
  const cleaner = connect();
  await cleaner.connect().catch(() => undefined);
  if (cleaner.status === "ready") {
    const keys = await cleaner.keys(`${prefix}*`);
    if (keys.length > 0) await cleaner.del(...keys);
  }
  for (const client of clients) client.disconnect();
});

describe("rate limits shared through Redis", () => {
  test("two replicas admit what one would: the third request of 3 a minute is refused on either", async () => {
    const [a, b] = [await replica(), await replica()];
    const limits = { requests_per_minute: 3 };
    const first = await a.admit("key_shared", limits, 10);
    assert.equal(first["anthropic-ratelimit-requests-limit"], "3");
    assert.equal(first["anthropic-ratelimit-requests-remaining"], "2");
    assert.equal((await b.admit("key_shared", limits, 10))["anthropic-ratelimit-requests-remaining"], "1");
    const third = await a.admit("key_shared", limits, 10);
    assert.equal(third["anthropic-ratelimit-requests-remaining"], "0");
    const refused = await refusal(() => b.admit("key_shared", limits, 10));
    // -reset means when the bucket is full again, on a 429 as on a 200 (the Anthropic API's meaning); retry-after says when the next request passes.
    const fullAgain = Date.parse(third["anthropic-ratelimit-requests-reset"] ?? "");
    assert.ok(Math.abs(Date.parse(refused.headers["anthropic-ratelimit-requests-reset"] ?? "") - fullAgain) <= 1_000, `${refused.headers["anthropic-ratelimit-requests-reset"]} vs ${third["anthropic-ratelimit-requests-reset"]}`);
    assert.equal(refused.kind, "rate_limited");
    assert.match(refused.message, /rate limit of 3 requests per minute\. Retry after 2\d s/);
    assert.ok(Number(refused.headers["retry-after"]) >= 19 && Number(refused.headers["retry-after"]) <= 20, refused.headers["retry-after"]);
    assert.equal(refused.headers["anthropic-ratelimit-requests-remaining"], "0");
    // A refused request takes nothing: another key is untouched, and this one stays refused.
    await refusal(() => a.admit("key_shared", limits, 10));
    assert.equal((await a.admit("key_other", limits, 10))["anthropic-ratelimit-requests-remaining"], "2");
  });

  test("the same answers as the per-replica limiter, for requests and tokens together", async () => {
    const shared = await replica();
    const local = new RateLimiter();
    const limits = { requests_per_minute: 100, tokens_per_minute: 1_000 };
    for (const tokens of [300, 300, 300]) {
      const [fromRedis, fromMemory] = [await shared.admit("key_both", limits, tokens), await local.admit("key_both", limits, tokens)];
      for (const name of ["requests-limit", "requests-remaining", "tokens-limit", "tokens-remaining"]) {
        assert.equal(fromRedis[`anthropic-ratelimit-${name}`], fromMemory[`anthropic-ratelimit-${name}`], name);
      }
    }
    // 100 tokens left: 300 more do not fit, on either.
    const [redisRefusal, memoryRefusal] = [await refusal(() => shared.admit("key_both", limits, 300)), await refusal(() => local.admit("key_both", limits, 300))];
    assert.match(redisRefusal.message, /1000 tokens per minute/);
    assert.equal(redisRefusal.headers["retry-after"], memoryRefusal.headers["retry-after"]);
    const resetOf = (refused: GatewayError) => Date.parse(refused.headers["anthropic-ratelimit-tokens-reset"] ?? "");
    assert.ok(Math.abs(resetOf(redisRefusal) - resetOf(memoryRefusal)) <= 1_000, "both say when the bucket is full again (whole seconds)");
    assert.equal(redisRefusal.headers["anthropic-ratelimit-tokens-remaining"], "100");
    // Output tokens learnt afterwards are debited from the shared bucket too.
    shared.debitTokens("key_both", limits, 100);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [requestsKey, tokensKey] = [`${prefix}ratelimit:key_both:requests`, `${prefix}ratelimit:key_both:tokens`];
    const inspector = connect();
    await inspector.connect();
    assert.ok(Number(await inspector.hget(tokensKey, "level")) < 1, "100 tokens debited from the 100 left");
    const ttl = await inspector.pttl(requestsKey);
    // 3 requests of 100 a minute take 1.8 s to refill: the bucket expires two minutes after that.
    assert.ok(ttl > 110_000 && ttl <= 122_000, `buckets expire two minutes after they would be full again (${ttl} ms)`);
  });

  test("count_tokens has a requests bucket of its own, shared by the replicas, with the same answers as the per-replica limiter, and no token limit", async () => {
    const [a, b] = [await replica(), await replica()];
    const local = new RateLimiter();
    const limits = { requests_per_minute: 2, tokens_per_minute: 10 };
    for (const limiter of [a, local]) {
      const admitted = await limiter.admit("key_counting", limits, 0, "count_tokens");
      assert.equal(admitted["anthropic-ratelimit-requests-remaining"], "1");
      assert.equal(admitted["anthropic-ratelimit-tokens-limit"], undefined, "counting spends no tokens");
    }
    await b.admit("key_counting", limits, 0, "count_tokens");
    await local.admit("key_counting", limits, 0, "count_tokens");
    const [redisRefusal, memoryRefusal] = [await refusal(() => a.admit("key_counting", limits, 0, "count_tokens")), await refusal(() => local.admit("key_counting", limits, 0, "count_tokens"))];
    for (const refused of [redisRefusal, memoryRefusal]) {
      assert.match(refused.message, /rate limit of 2 count_tokens requests per minute/);
      assert.deepEqual(Object.keys(refused.headers).sort(), ["anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-reset", "retry-after"]);
    }
    assert.equal(redisRefusal.headers["retry-after"], memoryRefusal.headers["retry-after"]);
    // The key's Messages buckets are untouched by counting, on either limiter.
    for (const limiter of [b, local]) assert.equal((await limiter.admit("key_counting", limits, 5))["anthropic-ratelimit-requests-remaining"], "1");
    const inspector = connect();
    await inspector.connect();
    assert.equal(await inspector.exists(`${prefix}ratelimit:key_counting:count_tokens:requests`), 1);
    assert.equal(await inspector.exists(`${prefix}ratelimit:key_counting:count_tokens:tokens`), 0);
  });

  test("a request larger than the token bucket waits for a full bucket, then takes all it costs: the key is in debt, on either limiter", async () => {
    const shared = await replica();
    const local = new RateLimiter();
    const limits = { tokens_per_minute: 1_000 };
    for (const limiter of [shared, local]) {
      const key = `key_big_${limiter === local ? "local" : "shared"}`;
      await limiter.admit(key, limits, 4_000);
      // 3,000 tokens below zero: the next request, however small, waits for the debt to refill (~3 minutes).
      const refused = await refusal(() => limiter.admit(key, limits, 1));
      const retryAfter = Number(refused.headers["retry-after"]);
      assert.ok(retryAfter >= 180 && retryAfter <= 181, `${limiter === local ? "local" : "shared"}: retry after ${retryAfter} s`);
    }
    // The shared bucket outlives its debt: expiring after two minutes would forgive the rest.
    const inspector = connect();
    await inspector.connect();
    const ttl = await inspector.pttl(`${prefix}ratelimit:key_big_shared:tokens`);
    assert.ok(ttl > 120_000 + 230_000, `kept until two minutes after it is full again (${ttl} ms)`);
    inspector.disconnect();
  });

  test("buckets refill continuously, at the limit per minute", async () => {
    const limiter = await replica();
    const limits = { requests_per_minute: 60 }; // one a second
    await Promise.all(Array.from({ length: 60 }, () => limiter.admit("key_refill", limits, 0)));
    const refused = await refusal(() => limiter.admit("key_refill", limits, 0));
    assert.equal(refused.headers["retry-after"], "1");
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await limiter.admit("key_refill", limits, 0);
    await refusal(() => limiter.admit("key_refill", limits, 0));
  });

  test("a clock that went back (a Redis failover to a node behind, a stepped system clock) drains no bucket, on either limiter", async () => {
    const limiter = await replica();
    await limiter.admit("key_clock", { requests_per_minute: 3 }, 0);
    // The bucket was last written 20 s in the future of the Redis clock now answering.
    const redis = connect();
    await redis.connect();
    const time = await redis.time();
    const future = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000) + 20_000;
    await redis.hset(`${prefix}ratelimit:key_clock:requests`, "at", String(future));
    assert.equal((await limiter.admit("key_clock", { requests_per_minute: 3 }, 0))["anthropic-ratelimit-requests-remaining"], "1", "the two left, less this one");

    let clock = 1_000_000;
    const local = new RateLimiter(() => clock);
    local.admit("key_clock", { requests_per_minute: 3 }, 0);
    clock -= 20_000;
    const headers = local.admit("key_clock", { requests_per_minute: 3 }, 0) as Record<string, string>;
    assert.equal(headers["anthropic-ratelimit-requests-remaining"], "1");
  });

  test("a changed limit starts a full bucket", async () => {
    const limiter = await replica();
    await limiter.admit("key_changed", { requests_per_minute: 1 }, 0);
    await refusal(() => limiter.admit("key_changed", { requests_per_minute: 1 }, 0));
    assert.equal((await limiter.admit("key_changed", { requests_per_minute: 5 }, 0))["anthropic-ratelimit-requests-remaining"], "4");
  });

  test("when Redis does not answer, the replica's own buckets do, without asking Redis again for bypassMs", async () => {
    const unreachable = connect("redis://127.0.0.1:1"); // never connects: commands fail at once
    const reports: Error[] = [];
    let clock = Date.now();
    const limiter = new SharedRateLimiter(unreachable, new RateLimiter(() => clock), { keyPrefix: prefix, bypassMs: 2_000, now: () => clock, onError: (error) => reports.push(error) });
    const limits = { requests_per_minute: 2 };
    assert.equal((await limiter.admit("key_down", limits, 0))["anthropic-ratelimit-requests-remaining"], "1");
    await limiter.admit("key_down", limits, 0);
    await refusal(() => limiter.admit("key_down", limits, 0));
    assert.equal(reports.length, 1, "one failed command; the next requests did not wait on Redis");
    clock += 30_001; // past bypassMs, and a request back in the 2-a-minute bucket
    await limiter.admit("key_down", limits, 0);
    assert.equal(reports.length, 2, "after bypassMs Redis is asked again");
    assert.match(reports[0]?.message ?? "", /Redis did not answer .*rate limits are per replica until it does \(Redis is asked again after 2000 ms\)/);
  });

  test("Redis reports reach stderr at most once per period (throttled, as openSharedState uses it)", () => {
    let clock = 0;
    const written: string[] = [];
    const report = throttled((error) => written.push(error.message), 10_000, () => clock);
    report(new Error("first"));
    clock = 9_999;
    report(new Error("too soon"));
    clock = 10_000;
    report(new Error("a period later"));
    assert.deepEqual(written, ["first", "a period later"]);
  });
});

test("a connection that reaches a read-only node (a failover's demoted primary) is dropped and made again, not left refusing every write while it looks connected", async (t) => {
  // A real read-only Redis: a replica of the test Redis, on a port of its own.
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const primary = new URL(REDIS_URL);
  const replicaServer = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--replicaof", primary.hostname, primary.port || "6379"], { stdio: "ignore" });
  t.after(() => replicaServer.kill("SIGKILL"));
  const redis = new Redis(`redis://127.0.0.1:${port}`, redisOptions(500, 2_000));
  t.after(() => redis.disconnect());
  redis.on("error", () => undefined);
  await eventually(async () => ((await redis.ping().catch(() => "not yet")) === "PONG" ? true : undefined), "the replica answering", 5_000);
  let reconnects = 0;
  redis.on("reconnecting", () => (reconnects += 1));
  const limiter = new SharedRateLimiter(redis, new RateLimiter(), { keyPrefix: prefix, onError: () => undefined });
  await limiter.admit("key_readonly", { requests_per_minute: 5 }, 0);
  await eventually(() => (reconnects >= 1 ? true : undefined), "READONLY making the client reconnect");
});
