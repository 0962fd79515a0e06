/**
 * A binary heap of (similarity, slot) pairs on typed arrays: the priority queues of HNSW search, which run
 * thousands of times per lookup and must not allocate. `order` says which end is on top.
 */
export class SimilarityHeap {
  private similarities: Float64Array;
  private slots: Int32Array;
  private length = 0;
  private readonly sign: 1 | -1;

  constructor(order: 'max-first' | 'min-first', capacity = 64) {
    this.sign = order === 'max-first' ? 1 : -1;
    this.similarities = new Float64Array(capacity);
    this.slots = new Int32Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  clear(): void {
    this.length = 0;
  }

  topSimilarity(): number {
    return this.similarities[0];
  }

  topSlot(): number {
    return this.slots[0];
  }

  push(similarity: number, slot: number): void {
    if (this.length === this.similarities.length) this.grow();
    let index = this.length++;
    const key = similarity * this.sign;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.similarities[parent] * this.sign >= key) break;
      this.similarities[index] = this.similarities[parent];
      this.slots[index] = this.slots[parent];
      index = parent;
    }
    this.similarities[index] = similarity;
    this.slots[index] = slot;
  }

  /** Removes the top; read it first with topSimilarity/topSlot. */
  pop(): void {
    const last = --this.length;
    if (last <= 0) return;
    const similarity = this.similarities[last];
    const slot = this.slots[last];
    const key = similarity * this.sign;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= last) break;
      if (child + 1 < last && this.similarities[child + 1] * this.sign > this.similarities[child] * this.sign) child += 1;
      if (this.similarities[child] * this.sign <= key) break;
      this.similarities[index] = this.similarities[child];
      this.slots[index] = this.slots[child];
      index = child;
    }
    this.similarities[index] = similarity;
    this.slots[index] = slot;
  }

  /** Copies the contents out, most similar first. */
  drainDescending(): Array<{ slot: number; similarity: number }> {
    const items: Array<{ slot: number; similarity: number }> = [];
    for (let i = 0; i < this.length; i += 1) items.push({ slot: this.slots[i], similarity: this.similarities[i] });
    this.length = 0;
    return items.sort((a, b) => b.similarity - a.similarity);
  }

  private grow(): void {
    const similarities = new Float64Array(this.similarities.length * 2);
    similarities.set(this.similarities);
    const slots = new Int32Array(this.slots.length * 2);
    slots.set(this.slots);
    this.similarities = similarities;
    this.slots = slots;
  }
}
