/**
 * Monthly budgets per key, checked before any upstream call. Spend per key and calendar month
 * (UTC) is kept exact in memory: loaded from the ledger the first time a key is seen this month,
 * increased as requests are recorded and, when several gateways share one ledger (PostgreSQL),
 * reloaded every `refreshMs`, so what the other replicas spent counts here too.
 *
 * A reload must not lose this process's own spend that the store does not hold yet (rows wait in
 * the journal until the next flush), nor count twice what it does hold. Each addition remembers
 * its row's number in the writer (LedgerWriter.record's answer); a reload reads how many rows the
 * store holds before it queries (LedgerWriter.storedRows), then keeps only the additions after that.
 *
 * Requests in flight count too. An admitted request holds a high estimate of the most it can cost
 * (routing/candidates.ts budgetHold) against the budget until its own cost is added (admit):
 * otherwise a burst of concurrent requests would all pass a check that none of them has paid for
 * yet, and together spend far past the budget. With the hold, a burst takes the key past its
 * budget by about one request at most.
 */
import { monthWindow } from "../ledger/budget-window.js";
import { keySpend, type ApiKeyRecord, type LedgerStore } from "../ledger/ledger.js";
import { formatUsd, parseUsd, type Money } from "../pricing/money.js";
import { withinOrFail } from "../util/within.js";
import { GatewayError } from "./errors.js";

/** The month `now` falls in, remembered while requests keep falling in it (a Date per request otherwise). */
let lastWindow = monthWindow(0);
const monthStart = (now: number): number => {
  if (now < lastWindow.from || now >= lastWindow.resets_at) lastWindow = monthWindow(now);
  return lastWindow.from;
};

/** Each key record's budget as Money, parsed once (records are replaced, not changed, when keys reload). */
const budgets = new WeakMap<ApiKeyRecord, Money>();
function budgetOf(key: ApiKeyRecord): Money {
  let budget = budgets.get(key);
  if (budget === undefined) {
    budget = parseUsd(key.monthly_budget_usd as string);
    budgets.set(key, budget);
  }
  return budget;
}
/**
 * How long a key's first load (and the replay of an earlier process's journal before it) may take
 * before the request is answered 529 (the budget cannot be checked): a database that hangs rather
 * than refuses (a failover) would otherwise hold every budgeted key's first request for minutes.
 */
export const LOAD_TIMEOUT_MS = 2_000;
/**
 * With reloads on (a shared ledger), how long a key's figure may go without a reload, and this
 * process's rows without reaching the ledger, before budgets stop trusting them: three periods,
 * and never less than 30 s (a slow flush, or the writer's backoff after one error, is not an outage).
 */
const STALE_AFTER_PERIODS = 3;
const STALE_AFTER_MIN_MS = 30_000;
/** Additions remembered one by one per key between reloads; older ones are merged past this. */
const MAX_PENDING = 1_024;
const KEEP_SEPARATE = 512;

interface KeySpend {
  month: number;
  /** The key's spend this month in the store, as of the last load. */
  stored: Money;
  /** This process's additions the last load may not have seen, oldest first, by writer row number. */
  pending: { row: number; cost: Money }[];
  pendingTotal: Money;
  /** Of pendingTotal, what the last load may have counted already (the additions it kept; later ones it cannot have). */
  maybeTwice: Money;
  /** This process's spend whose rows the ledger could not take: no load will ever find it. */
  unrecorded: Money;
  /** When the query behind `stored` began: with reloads on, an old figure misses what other replicas spent since. */
  checkedAt: number;
}

const total = (spend: KeySpend): Money => spend.stored + spend.pendingTotal + spend.unrecorded;

/** Gives back what an admitted request held against its key's budget; a second call does nothing. */
export type Release = () => void;

export class BudgetTracker {
  private readonly spend = new Map<string, KeySpend>();
  /** What each key's requests in flight (admitted, cost not added yet) may cost at most. */
  private readonly inFlight = new Map<string, Money>();
  private readonly loading = new Map<string, Promise<Money>>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;
  /** The reload period (0: never), and when the last round of reloads ended with every key reloaded. */
  refreshMs = 0;
  lastRefreshAt: number | undefined;
  /** The highest writer row number added, and the writer's stored count when last asked: whether the writer delivers. */
  private highestRow = 0;
  private storedAtLastRound = 0;
  /** When the writer was last found delivering this process's rows to the shared ledger (or reloads started). */
  private deliveringAt: number | undefined;

  /**
   * @param storedRows how many of the ledger writer's rows the store holds (LedgerWriter.storedRows).
   * @param settled what a first load waits for: the writer's replay of rows an earlier process
   *   left in the journal (they belong in this month's spend too).
   */
  constructor(
    private readonly store: LedgerStore,
    private readonly storedRows: () => number = () => 0,
    private readonly onError: (error: Error) => void = () => undefined,
    private readonly settled: Promise<unknown> = Promise.resolve(),
  ) {}

  /**
   * Loads a key's spend for a month from the ledger, one query at a time per key and month (a
   * query still running when its callers gave up is the next callers' too: a ledger that hangs
   * gets one query per key, not one per request); resolves with that month's total, or rejects
   * with a 529 after LOAD_TIMEOUT_MS of waiting.
   */
  private async load(keyId: string, month: number, now: number): Promise<Money> {
    const id = `${keyId}@${month}`;
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.reload(keyId, month, now);
      this.loading.set(id, pending);
      void pending.finally(() => this.loading.delete(id)).catch(() => undefined);
    }
    try {
      return await withinOrFail(pending, LOAD_TIMEOUT_MS);
    } catch (error) {
      // The budget cannot be checked, so the request is not served (closed, not open), but this is
      // the ledger being away, not the gateway's bug: a 529 the client may retry, and a report.
      this.onError(new Error(`loading the spend of key ${keyId} failed: ${error instanceof Error ? error.message : String(error)}`));
      throw new GatewayError("unavailable", "the key's budget cannot be checked right now (its ledger did not answer); try again shortly", { "retry-after": "1" });
    }
  }

  private async reload(keyId: string, month: number, now: number): Promise<Money> {
    await this.settled;
    // Read before the query: every row up to `storedBefore` is in what the query sums.
    const storedBefore = this.storedRows();
    const stored = parseUsd(await keySpend(this.store, keyId, month));
    return this.apply(keyId, month, stored, storedBefore, now);
  }

  /**
   * A key's spend in the store, as a query that began when the writer had stored `storedBefore`
   * rows saw it. Returns the month's total: the stored sum with what is kept beside it.
   */
  private apply(keyId: string, month: number, stored: Money, storedBefore: number, checkedAt: number): Money {
    const current = this.spend.get(keyId);
    // A load of last month that ends after this month's began is not kept, but its figure still
    // decides the request of last month that asked for it.
    if (current && current.month > month) return stored;
    // A load that began before the figure in place was taken (a slow one, shared by its waiters,
    // ending after a reload) is older news: it would drop additions the newer figure counts.
    if (current && current.month === month && current.checkedAt > checkedAt) return total(current);
    // Additions after `storedBefore` may or may not be in the sum: keep them (at worst counted
    // twice until the next reload, which errs towards refusing, never towards overspending).
    const sameMonth = current !== undefined && current.month === month;
    const pending = sameMonth ? current.pending.filter((entry) => entry.row > storedBefore) : [];
    const unrecorded = sameMonth ? current.unrecorded : 0n;
    // All of them were recorded before the answer came, so any may be in the sum (a row whose
    // commit landed while the query ran, before the writer counted it); additions made after this
    // load cannot be.
    const pendingTotal = pending.reduce((sum, entry) => sum + entry.cost, 0n);
    const entry: KeySpend = { month, stored, pending, pendingTotal, maybeTwice: pendingTotal, unrecorded, checkedAt };
    this.spend.set(keyId, entry);
    return total(entry);
  }

  /**
   * Reloads every key seen this month, in one query, every `refreshMs`, until stop(). For
   * gateways that share a ledger; a failed reload keeps the last figures and is reported to onError.
   */
  startRefreshing(refreshMs: number, now: () => number = Date.now): void {
    if (refreshMs <= 0 || this.timer) return;
    this.refreshMs = refreshMs;
    this.deliveringAt = now();
    this.timer = setInterval(() => void this.refresh(now()), refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of reloads (what the timer runs): every key seen this month, in one query. */
  async refresh(now: number): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      this.delivering(now);
      const month = monthStart(now);
      for (const [keyId, entry] of this.spend) if (entry.month !== month) this.spend.delete(keyId);
      const keyIds = [...this.spend.keys()];
      if (keyIds.length > 0) {
        const storedBefore = this.storedRows();
        let totals: Map<string, string>;
        try {
          totals = await this.store.keysSpend(keyIds, month);
        } catch (error) {
          this.onError(new Error(`reloading the spend of ${keyIds.length} key(s) failed (the last figures stay): ${error instanceof Error ? error.message : String(error)}`));
          return;
        }
        for (const keyId of keyIds) {
          if (this.spend.get(keyId)?.month === month) this.apply(keyId, month, parseUsd(totals.get(keyId) ?? "0"), storedBefore, now);
        }
      }
      this.lastRefreshAt = now;
    } finally {
      this.refreshing = false;
    }
  }

  /**
   * Admits a request about to go upstream (after routing): refuses it with a budget_exceeded error
   * (429) if the key's spend this month plus what its requests in flight may cost has reached the
   * budget; else holds `hold` (attodollars, the most this request can cost) against the budget until
   * the returned release is called, once the request's own cost has been added (or it failed).
   * Synchronous when the key's spend this month is known, which is every request but a key's first of
   * the month; otherwise a promise that loads it, then decides and holds in one step, so two requests
   * never pass on the same figure. Undefined (nothing held) for a key without a budget.
   */
  admit(key: ApiKeyRecord, now: number, hold: Money): Release | undefined | Promise<Release> {
    if (key.monthly_budget_usd === null) return undefined;
    this.refuseIfUnshared(now);
    const month = monthStart(now);
    const current = this.spend.get(key.id);
    if (current && current.month === month && !this.stale(current, now)) return this.take(key, total(current), now, hold);
    // The loaded figure decides, even if a load of a later month has replaced it by then (a request of a month's last instant).
    return this.load(key.id, month, now).then((spent) => this.take(key, spent, now, hold));
  }

  /**
   * With a shared ledger, this process's rows must reach it for the other replicas to count them.
   * A writer that has stored none of them for three periods (inserts failing while reads work: a
   * database failed over to a read-only standby) spends where no other replica sees: budgeted
   * requests wait (a 529) until it delivers again. The rows are safe in the journal meanwhile.
   */
  private refuseIfUnshared(now: number): void {
    if (this.refreshMs <= 0 || this.delivering(now) || now - (this.deliveringAt ?? now) <= this.staleAfterMs()) return;
    throw new GatewayError(
      "unavailable",
      "the key's budget cannot be checked right now (this gateway cannot write its spend to the shared ledger, so the other replicas would not count it); try again shortly",
      { "retry-after": "1" },
    );
  }

  /** Whether the writer has nothing of this process's budgeted spend left to store, or has stored more since last asked (then noted as of `now`). */
  private delivering(now: number): boolean {
    const stored = this.storedRows();
    const delivering = stored >= this.highestRow || stored > this.storedAtLastRound;
    this.storedAtLastRound = stored;
    if (delivering) this.deliveringAt = now;
    return delivering;
  }

  /**
   * Reloads keep failing (the shared ledger is away): the figure misses what the other replicas
   * spent since, and each replica would let the key spend its whole remaining budget on its own.
   * It is loaded again before it decides; if that fails too the request gets a 529, as a first
   * load's would (a budget that cannot be checked is not waived).
   */
  private stale(current: KeySpend, now: number): boolean {
    return this.refreshMs > 0 && now - current.checkedAt > this.staleAfterMs();
  }

  private staleAfterMs(): number {
    return Math.max(STALE_AFTER_PERIODS * this.refreshMs, STALE_AFTER_MIN_MS);
  }

  /**
   * The cheap check a request gets before routing and the rate limiter: refuses a key whose spend
   * this month, with what its requests in flight hold, has already reached its budget, whatever the
   * request asks for. A key whose spend is not known yet (its first request this month, or a
   * figure gone stale) is loaded first: a promise then.
   */
  refuseIfSpent(key: ApiKeyRecord, now: number): void | Promise<void> {
    if (key.monthly_budget_usd === null) return;
    const month = monthStart(now);
    const current = this.spend.get(key.id);
    if (current && current.month === month && !this.stale(current, now)) return this.enforce(key, total(current), now);
    return this.load(key.id, month, now).then((spent) => this.enforce(key, spent, now));
  }

  private take(key: ApiKeyRecord, spent: Money, now: number, hold: Money): Release {
    this.enforce(key, spent, now);
    this.inFlight.set(key.id, (this.inFlight.get(key.id) ?? 0n) + hold);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(key.id) ?? 0n) - hold;
      if (left > 0n) this.inFlight.set(key.id, left);
      else this.inFlight.delete(key.id);
    };
  }

  private enforce(key: ApiKeyRecord, spent: Money, now: number): undefined {
    const budget = budgetOf(key);
    const held = this.inFlight.get(key.id) ?? 0n;
    if (spent + held >= budget) {
      const resets = monthWindow(now).resets_at;
      const inFlight = held > 0n ? ` (and its requests in flight may cost up to $${formatUsd(held)})` : "";
      // Between reloads this process's latest additions may be in the stored sum as well (see
      // apply): a refusal they alone decide may be gone at the next reload.
      const current = this.spend.get(key.id);
      const maybeTwice = this.refreshMs > 0 && current !== undefined && current.maybeTwice > 0n && spent - current.maybeTwice < budget;
      throw new GatewayError(
        "budget_exceeded",
        `key "${key.name}" has spent $${formatUsd(spent)}${inFlight} of its $${key.monthly_budget_usd} monthly budget; ` +
          `the budget resets at ${new Date(resets).toISOString()}`,
        // Refused for requests still in flight, it may pass once they are done: say when to retry.
        held > 0n && spent < budget
          ? { "retry-after": "1" }
          : maybeTwice
            ? { "retry-after": String(Math.ceil(this.refreshMs / 1000)) }
            : { "retry-after": String(Math.ceil((resets - now) / 1000)), "x-should-retry": "false" },
      );
    }
    return undefined;
  }

  /**
   * Adds a request's cost; `row` is the number the writer's record() gave that request's row, or
   * undefined for a row the ledger could not take: that cost stays for the month, through reloads.
   */
  add(keyId: string, at: number, cost: Money, row: number | undefined): void {
    const current = this.spend.get(keyId);
    if (!current || current.month !== monthStart(at)) return;
    if (row === undefined) {
      current.unrecorded += cost;
      return;
    }
    if (row > this.highestRow) this.highestRow = row;
    if (!this.timer) {
      // Nothing reloads: the figure is the load plus everything added since.
      current.stored += cost;
      return;
    }
    current.pending.push({ row, cost });
    current.pendingTotal += cost;
    if (current.pending.length > MAX_PENDING) {
      // Reloads prune the list; while they fail (the store is down) it would grow with every
      // request. Merge the oldest into one entry numbered by its newest row: a reload then keeps
      // it whole until all of it is stored, counting some spend twice for a while, never none.
      const merged = current.pending.splice(0, current.pending.length - KEEP_SEPARATE);
      current.pending.unshift({ row: merged.reduce((last, entry) => Math.max(last, entry.row), 0), cost: merged.reduce((sum, entry) => sum + entry.cost, 0n) });
    }
  }

  /** Exact spend this month, for headers and the dashboard; undefined if not loaded yet. */
  spent(keyId: string, now: number): Money | undefined {
    const current = this.spend.get(keyId);
    return current && current.month === monthStart(now) ? total(current) : undefined;
  }
}
