/**
 * A Map that forgets its oldest entry when full: a memory bound for the read path's caches, not an LRU.
 * Evicting one entry at a time keeps the rest warm (emptying the whole map at the bound made every
 * request a miss for a while after each overflow).
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.limit && !this.has(key)) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}
