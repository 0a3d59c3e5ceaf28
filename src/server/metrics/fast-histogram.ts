/**
 * A Prometheus histogram for the request path, registered with a prom-client Registry as a custom metric.
 * prom-client's own child.observe() re-hashes and validates its labels on every call (~1.9 µs measured
 * here, a few per cent of a ~75 µs plan view); this keeps one bucket array per label set, so an observation
 * is a lookup, a short scan and two additions. Buckets are made cumulative only when scraped.
 */
type Series = { labels: Record<string, string>; counts: Float64Array; sum: number; count: number };

export class FastHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    private readonly buckets: readonly number[],
  ) {}

  /** Records `value` for the label set `key`; false (nothing recorded) until that key has been `add`ed. */
  observe(key: string, value: number): boolean {
    const s = this.series.get(key);
    if (!s) return false;
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]!) i++;
    s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
    return true;
  }

  /** `key` identifies the label set; the caller builds it from the parts it has at hand. */
  add(key: string, labels: Record<L, string>) {
    if (!this.series.has(key)) this.series.set(key, { labels, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 });
  }

  async get() {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset() {
    this.series.clear();
  }
}
