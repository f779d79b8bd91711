// Append-only list that forgets its oldest half when it grows past twice its cap. Long sandbox sessions and
// benchmarks push hundreds of thousands of entries; trimming in batches keeps appends O(1) amortised.

export class CappedList<T> {
  private items: T[] = [];

  constructor(private readonly cap: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.cap * 2) this.items = this.items.slice(this.items.length - this.cap);
  }

  /** The newest `cap` entries, oldest first. */
  toArray(): T[] {
    return this.items.length > this.cap ? this.items.slice(this.items.length - this.cap) : this.items.slice();
  }

  get length(): number {
    return Math.min(this.items.length, this.cap);
  }
}

/** Map that drops its oldest keys past the cap (insertion order), for message lookups by id. */
export class CappedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly cap: number) {}

  set(key: K, value: V): void {
    this.map.set(key, value);
    if (this.map.size > this.cap) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  get size(): number {
    return this.map.size;
  }
}
