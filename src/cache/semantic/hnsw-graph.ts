import { PackedVectors } from './packed-vectors.js';
import { SimilarityHeap } from './similarity-heap.js';

export interface HnswGraphOptions {
  /** Links per node on the upper layers (twice this on layer 0). */
  m?: number;
  /** Candidate list size while inserting: higher builds a better graph, slower. */
  efConstruction?: number;
  /** Candidate list size while searching: higher finds the true nearest more often, slower. */
  efSearch?: number;
  /** Uniform [0, 1) source for node levels; pass a seeded one for reproducible graphs. */
  random?: () => number;
}

const MAX_LEVEL = 15;

/**
 * Hierarchical navigable small-world graph (Malkov & Yashunin, 2016) over unit vectors, similarity =
 * dot product. Nodes are slots (0, 1, 2…); a deleted slot stays in the graph as a waypoint and is never
 * returned. Vectors and layer-0 links live in flat typed arrays, so a search allocates almost nothing.
 */
export class HnswGraph {
  readonly dimensions: number;
  efSearch: number;
  private readonly m: number;
  private readonly m0: number;
  private readonly efConstruction: number;
  private readonly levelFactor: number;
  private readonly random: () => number;
  private capacity = 0;
  private count = 0;
  private readonly vectors: PackedVectors;
  /** Layer 0: per slot, a count then m0 neighbour slots, with each link's similarity beside it. */
  private links0 = new Int32Array(0);
  private linkSimilarity0 = new Float32Array(0);
  private upperLinks: Array<Int32Array[] | undefined> = [];
  private deleted = new Uint8Array(0);
  private entry = -1;
  private maxLevel = -1;
  private visited = new Uint32Array(0);
  private visitMark = 0;
  private readonly candidates = new SimilarityHeap('max-first');
  private readonly results = new SimilarityHeap('min-first');

  constructor(dimensions: number, options: HnswGraphOptions = {}) {
    this.dimensions = dimensions;
    this.m = options.m ?? 16;
    this.m0 = this.m * 2;
    this.efConstruction = options.efConstruction ?? 64;
    this.efSearch = options.efSearch ?? 64;
    this.levelFactor = 1 / Math.log(this.m);
    this.random = options.random ?? Math.random;
    this.vectors = new PackedVectors(dimensions);
  }

  get size(): number {
    return this.count;
  }

  isDeleted(slot: number): boolean {
    return this.deleted[slot] === 1;
  }

  markDeleted(slot: number): void {
    this.deleted[slot] = 1;
  }

  /** A dense copy of a stored vector. */
  vectorAt(slot: number): Float32Array {
    return this.vectors.vectorAt(slot);
  }

  /** Similarity of a query to a stored slot (for exact scans over the same storage). */
  similarity(query: Float32Array, slot: number): number {
    return this.vectors.dot(query, slot);
  }

  get bytes(): number {
    return this.vectors.bytes + this.links0.byteLength + this.linkSimilarity0.byteLength;
  }

  /** Adds a unit vector and links it into the graph; returns its slot. */
  add(vector: Float32Array): number {
    if (this.count === this.capacity) this.grow();
    const slot = this.vectors.add(vector);
    this.count += 1;
    const probe = vector;
    const level = Math.min(MAX_LEVEL, Math.floor(-Math.log(1 - this.random()) * this.levelFactor));
    if (level > 0) this.upperLinks[slot] = Array.from({ length: level }, () => new Int32Array(this.m + 1));
    if (this.entry === -1) {
      this.entry = slot;
      this.maxLevel = level;
      return slot;
    }
    let nearest = this.entry;
    let nearestSimilarity = this.vectors.dot(probe, nearest);
    for (let layer = this.maxLevel; layer > level; layer -= 1) [nearest, nearestSimilarity] = this.greedy(probe, nearest, nearestSimilarity, layer);
    for (let layer = Math.min(level, this.maxLevel); layer >= 0; layer -= 1) {
      const found = this.searchLayer(probe, nearest, nearestSimilarity, this.efConstruction, layer);
      const chosen = this.selectNeighbours(found, this.m);
      for (const { slot: neighbour, similarity } of chosen) {
        this.appendLink(slot, neighbour, similarity, layer);
        this.appendLink(neighbour, slot, similarity, layer);
      }
      nearest = found[0].slot;
      nearestSimilarity = found[0].similarity;
    }
    if (level > this.maxLevel) {
      this.maxLevel = level;
      this.entry = slot;
    }
    return slot;
  }

  /** The k most similar live slots, most similar first. */
  search(query: Float32Array, k = 1, ef = this.efSearch): Array<{ slot: number; similarity: number }> {
    if (this.entry === -1) return [];
    const probe = query;
    let nearest = this.entry;
    let nearestSimilarity = this.vectors.dot(probe, nearest);
    for (let layer = this.maxLevel; layer > 0; layer -= 1) [nearest, nearestSimilarity] = this.greedy(probe, nearest, nearestSimilarity, layer);
    const found = this.searchLayer(probe, nearest, nearestSimilarity, Math.max(ef, k), 0);
    const live: Array<{ slot: number; similarity: number }> = [];
    for (const item of found) {
      if (this.deleted[item.slot] === 1) continue;
      live.push(item);
      if (live.length === k) break;
    }
    return live;
  }

  private greedy(probe: Float32Array, start: number, startSimilarity: number, layer: number): [number, number] {
    let current = start;
    let best = startSimilarity;
    for (let improved = true; improved; ) {
      improved = false;
      const links = this.upperLinks[current]![layer - 1];
      for (let i = 1; i <= links[0]; i += 1) {
        const similarity = this.vectors.dot(probe, links[i]);
        if (similarity > best) {
          best = similarity;
          current = links[i];
          improved = true;
        }
      }
    }
    return [current, best];
  }

  private searchLayer(probe: Float32Array, start: number, startSimilarity: number, ef: number, layer: number) {
    const mark = this.nextVisitMark();
    const { candidates, results } = this;
    candidates.clear();
    results.clear();
    this.visited[start] = mark;
    candidates.push(startSimilarity, start);
    results.push(startSimilarity, start);
    while (candidates.size > 0) {
      const similarity = candidates.topSimilarity();
      const slot = candidates.topSlot();
      if (results.size >= ef && similarity < results.topSimilarity()) break;
      candidates.pop();
      const links = layer === 0 ? this.links0.subarray(slot * (this.m0 + 1), (slot + 1) * (this.m0 + 1)) : this.upperLinks[slot]![layer - 1];
      for (let i = 1; i <= links[0]; i += 1) {
        const neighbour = links[i];
        if (this.visited[neighbour] === mark) continue;
        this.visited[neighbour] = mark;
        const neighbourSimilarity = this.vectors.dot(probe, neighbour);
        if (results.size < ef || neighbourSimilarity > results.topSimilarity()) {
          candidates.push(neighbourSimilarity, neighbour);
          results.push(neighbourSimilarity, neighbour);
          if (results.size > ef) results.pop();
        }
      }
    }
    return results.drainDescending();
  }

  /**
   * The paper's heuristic: keep a candidate only if it is closer to the new node than to every neighbour
   * kept so far, so links spread over directions instead of piling into one cluster.
   */
  private selectNeighbours(found: Array<{ slot: number; similarity: number }>, limit: number) {
    const chosen: Array<{ slot: number; similarity: number }> = [];
    for (const candidate of found) {
      if (chosen.length === limit) break;
      let diverse = true;
      for (const kept of chosen) {
        if (this.vectors.dotSlots(candidate.slot, kept.slot) > candidate.similarity) {
          diverse = false;
          break;
        }
      }
      if (diverse) chosen.push(candidate);
    }
    return chosen;
  }

  /** Adds a link; a full list drops its least similar link if the new one is more similar. */
  private appendLink(from: number, to: number, similarity: number, layer: number): void {
    if (layer > 0) {
      const links = this.upperLinks[from]![layer - 1];
      if (links[0] < this.m) links[++links[0]] = to;
      else {
        // Upper layers are small and rarely full: replace the least similar link by measuring them.
        let weakest = 1;
        let weakestSimilarity = Number.POSITIVE_INFINITY;
        for (let i = 1; i <= this.m; i += 1) {
          const s = this.vectors.dotSlots(from, links[i]);
          if (s < weakestSimilarity) [weakest, weakestSimilarity] = [i, s];
        }
        if (similarity > weakestSimilarity) links[weakest] = to;
      }
      return;
    }
    const base = from * (this.m0 + 1);
    const count = this.links0[base];
    if (count < this.m0) {
      this.links0[base + count + 1] = to;
      this.linkSimilarity0[from * this.m0 + count] = similarity;
      this.links0[base] = count + 1;
      return;
    }
    let weakest = 0;
    for (let i = 1; i < this.m0; i += 1) if (this.linkSimilarity0[from * this.m0 + i] < this.linkSimilarity0[from * this.m0 + weakest]) weakest = i;
    if (similarity > this.linkSimilarity0[from * this.m0 + weakest]) {
      this.links0[base + weakest + 1] = to;
      this.linkSimilarity0[from * this.m0 + weakest] = similarity;
    }
  }

  private nextVisitMark(): number {
    this.visitMark += 1;
    if (this.visitMark === 0xffffffff) {
      this.visited.fill(0);
      this.visitMark = 1;
    }
    return this.visitMark;
  }

  private grow(): void {
    const capacity = Math.max(64, this.capacity * 2);
    const links0 = new Int32Array(capacity * (this.m0 + 1));
    links0.set(this.links0);
    const linkSimilarity0 = new Float32Array(capacity * this.m0);
    linkSimilarity0.set(this.linkSimilarity0);
    const deleted = new Uint8Array(capacity);
    deleted.set(this.deleted);
    const visited = new Uint32Array(capacity);
    visited.set(this.visited);
    this.capacity = capacity;
    this.links0 = links0;
    this.linkSimilarity0 = linkSimilarity0;
    this.deleted = deleted;
    this.visited = visited;
  }
}
