/**
 * Counters and histograms for the request path, exposed through a prom-client Registry.
 *
 * prom-client hashes and validates the label object on every inc() and observe(), even through
 * labels() children: with a dozen updates per request that was 5–6% of the gateway's CPU
 * (docs/BENCHMARKS.md). Here the caller looks a series up once per label combination (by a
 * string key it builds itself, e.g. the deployment id) and then adds plain numbers to it; the
 * label objects are built only when a series is first seen, and the exposition format only when
 * Prometheus scrapes.
 *
 * The Registry reads a metric through name, help, type, get() and reset() (prom-client's
 * registry.js); these classes provide exactly those.
 */
import type { Histogram, Registry } from "prom-client";

type Labels = Record<string, string>;

interface MetricValue {
  labels: Labels;
  value: number;
  metricName?: string;
}

interface MetricData {
  name: string;
  help: string;
  type: "counter" | "histogram";
  values: MetricValue[];
  aggregator: "sum";
}

/** What the registry calls; prom-client's types only name its own classes. */
function register(registry: Registry, metric: { name: string }): void {
  registry.registerMetric(metric as unknown as Histogram<string>);
}

/** Series by key, each made on first use; what both metric kinds share. */
abstract class SeriesMetric<S> {
  protected readonly series = new Map<string, S>();

  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
  ) {
    register(registry, this);
  }

  protected abstract make(labels: Labels): S;

  /** The series for `key`; `labels` is called only the first time the key is seen. */
  at(key: string, labels: () => Labels): S {
    let series = this.series.get(key);
    if (!series) {
      series = this.make(labels());
      this.series.set(key, series);
    }
    return series;
  }

  reset(): void {
    this.series.clear();
  }
}

export class CounterSeries {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(amount = 1): void {
    this.value += amount;
  }
}

export class FastCounter extends SeriesMetric<CounterSeries> {
  readonly type = "counter";

  protected make(labels: Labels): CounterSeries {
    return new CounterSeries(labels);
  }

  get(): MetricData {
    // A series appears once something was added to it, as with prom-client.
    const values: MetricValue[] = [];
    for (const series of this.series.values()) if (series.value !== 0) values.push({ labels: series.labels, value: series.value });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: "sum" };
  }

}

export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index += 1;
    this.counts[index] = (this.counts[index] as number) + 1;
    this.sum += value;
    this.count += 1;
  }
}

export class FastHistogram extends SeriesMetric<HistogramSeries> {
  readonly type = "histogram";

  constructor(
    registry: Registry,
    name: string,
    help: string,
    /** Upper bounds, ascending; an observation equal to a bound falls in that bucket (le). */
    readonly buckets: readonly number[],
  ) {
    super(registry, name, help);
  }

  protected make(labels: Labels): HistogramSeries {
    return new HistogramSeries(labels, this.buckets);
  }

  get(): MetricData {
    const values: MetricValue[] = [];
    for (const series of this.series.values()) {
      if (series.count === 0) continue;
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += series.counts[index] as number;
        values.push({ labels: { le: String(bound), ...series.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: "+Inf", ...series.labels }, value: series.count, metricName: `${this.name}_bucket` });
      values.push({ labels: series.labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: series.labels, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: "sum" };
  }

}
