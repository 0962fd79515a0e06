/**
 * Unit vectors stored for fast dot products. A vector that is mostly zeros (hashed text features: ~80
 * non-zero of 512) is kept as its non-zero entries only; a dense one (a neural embedding) as a row.
 *
 * Why: a similarity against a sparse stored vector walks its short list in order and reads the query
 * from a dense array that stays in L1 cache, instead of touching a whole 2 KB row at random — memory
 * traffic, not arithmetic, is what HNSW search pays for. It also makes such entries ~3× smaller.
 */
export class PackedVectors {
  readonly dimensions: number;
  private count = 0;
  private sparseStart = new Int32Array(64);
  private sparseEnd = new Int32Array(64);
  private indices = new Int32Array(1024);
  private values = new Float32Array(1024);
  private sparseUsed = 0;
  /** Dense slots: row number in `rows`, -1 for sparse slots. */
  private denseRow = new Int32Array(64);
  private rows = new Float32Array(0);
  private rowCount = 0;
  private readonly scratch: Float32Array;

  constructor(dimensions: number) {
    this.dimensions = dimensions;
    this.scratch = new Float32Array(dimensions);
  }

  get size(): number {
    return this.count;
  }

  add(vector: Float32Array): number {
    if (vector.length !== this.dimensions) throw new RangeError(`Expected ${this.dimensions} dimensions, got ${vector.length}.`);
    const slot = this.count++;
    if (slot === this.sparseStart.length) this.growSlots();
    let nonZero = 0;
    for (let i = 0; i < vector.length; i += 1) if (vector[i] !== 0) nonZero += 1;
    if (nonZero * 3 <= vector.length) {
      this.ensureSparse(this.sparseUsed + nonZero);
      let at = this.sparseUsed;
      this.sparseStart[slot] = at;
      for (let i = 0; i < vector.length; i += 1) {
        if (vector[i] === 0) continue;
        this.indices[at] = i;
        this.values[at++] = vector[i];
      }
      this.sparseEnd[slot] = at;
      this.sparseUsed = at;
      this.denseRow[slot] = -1;
    } else {
      if ((this.rowCount + 1) * this.dimensions > this.rows.length) {
        const rows = new Float32Array(Math.max(64, this.rowCount * 2) * this.dimensions);
        rows.set(this.rows);
        this.rows = rows;
      }
      this.rows.set(vector, this.rowCount * this.dimensions);
      this.denseRow[slot] = this.rowCount++;
      this.sparseStart[slot] = -1;
    }
    return slot;
  }

  /** Dot product of a dense query with a stored vector. */
  dot(query: Float32Array, slot: number): number {
    let sum = 0;
    const row = this.denseRow[slot];
    if (row < 0) {
      const indices = this.indices;
      const values = this.values;
      for (let i = this.sparseStart[slot], end = this.sparseEnd[slot]; i < end; i += 1) sum += query[indices[i]] * values[i];
      return sum;
    }
    const rows = this.rows;
    const base = row * this.dimensions;
    for (let i = 0; i < this.dimensions; i += 1) sum += rows[base + i] * query[i];
    return sum;
  }

  /** Dot product of two stored vectors. */
  dotSlots(a: number, b: number): number {
    if (this.denseRow[a] >= 0) return this.dot(this.rows.subarray(this.denseRow[a] * this.dimensions, (this.denseRow[a] + 1) * this.dimensions), b);
    if (this.denseRow[b] >= 0) return this.dotSlots(b, a);
    // Both sparse: spread one into the scratch row, gather the other, then clear what was spread.
    const { indices, values, scratch } = this;
    const startA = this.sparseStart[a];
    const endA = this.sparseEnd[a];
    for (let i = startA; i < endA; i += 1) scratch[indices[i]] = values[i];
    const sum = this.dot(scratch, b);
    for (let i = startA; i < endA; i += 1) scratch[indices[i]] = 0;
    return sum;
  }

  /** A fresh dense copy of a stored vector. */
  vectorAt(slot: number): Float32Array {
    const row = this.denseRow[slot];
    if (row >= 0) return this.rows.slice(row * this.dimensions, (row + 1) * this.dimensions);
    const vector = new Float32Array(this.dimensions);
    for (let i = this.sparseStart[slot]; i < this.sparseEnd[slot]; i += 1) vector[this.indices[i]] = this.values[i];
    return vector;
  }

  /** Approximate bytes held, for memory reporting. */
  get bytes(): number {
    return this.indices.byteLength + this.values.byteLength + this.rows.byteLength + this.sparseStart.byteLength * 3;
  }

  private ensureSparse(needed: number): void {
    if (needed <= this.indices.length) return;
    const size = Math.max(needed, this.indices.length * 2);
    const indices = new Int32Array(size);
    indices.set(this.indices.subarray(0, this.sparseUsed));
    const values = new Float32Array(size);
    values.set(this.values.subarray(0, this.sparseUsed));
    this.indices = indices;
    this.values = values;
  }

  private growSlots(): void {
    const size = this.sparseStart.length * 2;
    const grow = (old: Int32Array) => {
      const next = new Int32Array(size);
      next.set(old);
      return next;
    };
    this.sparseStart = grow(this.sparseStart);
    this.sparseEnd = grow(this.sparseEnd);
    this.denseRow = grow(this.denseRow);
  }
}
