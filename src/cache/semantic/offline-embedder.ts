import { type Embedder, normaliseInPlace } from './embedder.js';
import { hash32, stem, tokenize, type WordKind, wordKind } from './text-features.js';

export interface OfflineEmbedderOptions {
  /** Vector size; a power of two. More dimensions mean fewer hash collisions, i.e. fewer false matches. */
  dimensions?: number;
  /** Weight of each word kind relative to a content word. */
  kindWeights?: Partial<Record<WordKind, number>>;
  /** Weight of adjacent-word pairs: they tell "dog bites man" from "man bites dog". */
  bigramWeight?: number;
  /** Weight of character n-grams: they meet typos and word forms the stemmer misses. */
  charGramWeight?: number;
  /**
   * Weight of ordered pairs of nearby content words ("benzene → toluene"): they tell "convert A into B"
   * from "convert B into A", which a bag of words and pairs cannot.
   */
  orderWeight?: number;
  /** How many following content words each content word is paired with. */
  orderWindow?: number;
}

const DEFAULT_KIND_WEIGHTS: Record<WordKind, number> = { stop: 0.25, person: 0.6, meaning: 1, number: 1.5, symbol: 1.5, content: 1 };
const SEED_WORD = 0x9e3779b9;
const SEED_PAIR = 0x85ebca77;
const SEED_GRAM = 0xc2b2ae3d;
const SEED_ORDER = 0x27d4eb2f;

/**
 * An embedder that needs no download, no network and no vocabulary learned from data: signed feature
 * hashing of stemmed words, adjacent word pairs and character 3–4-grams, weighted by hand-written word
 * kinds, L2-normalised.
 *
 * What it is good at: the same question asked again with different case, punctuation, word order, word
 * forms, typos, filler words or small rephrasings. What it cannot do: it is lexical, not semantic.
 * Synonyms ("car" / "automobile") and paraphrases that share few words look unrelated (misses), and two
 * questions that share most words but differ in one decisive word ("Java" / "Python") look alike. So its
 * threshold must be high, and its recall on real paraphrases is modest; a neural embedder
 * (`createOpenAIEmbedder`) does better where one is available.
 *
 * @example
 * const embedder = createOfflineEmbedder();
 * const [vector] = await embedder.embed(['How do I reset my password?']);
 */
export function createOfflineEmbedder(options: OfflineEmbedderOptions = {}): Embedder {
  const dimensions = options.dimensions ?? 512;
  if (!Number.isInteger(Math.log2(dimensions))) throw new RangeError(`dimensions must be a power of two, got ${dimensions}`);
  const kindWeights = { ...DEFAULT_KIND_WEIGHTS, ...options.kindWeights };
  const bigramWeight = options.bigramWeight ?? 0.3;
  const charGramWeight = options.charGramWeight ?? 0.5;
  const orderWeight = options.orderWeight ?? 0.3;
  const orderWindow = options.orderWindow ?? 3;
  const mask = dimensions - 1;
  const settings = `d${dimensions}-k${Object.values(kindWeights).join(',')}-b${bigramWeight}-c${charGramWeight}-o${orderWeight}x${orderWindow}`;

  const add = (vector: Float32Array, feature: string, seed: number, weight: number) => {
    const hash = hash32(feature, seed);
    // The top bit picks the sign, so colliding features cancel on average instead of piling up.
    vector[hash & mask] += hash & 0x80000000 ? -weight : weight;
  };

  const embedOne = (text: string): Float32Array => {
    const vector = new Float32Array(dimensions);
    const tokens = tokenize(text);
    const words = tokens.map((token) => token.text);
    const stems = words.map(stem);
    const weights = tokens.map((token) => kindWeights[wordKind(token.text, token.acronym)]);
    for (let i = 0; i < stems.length; i += 1) {
      add(vector, stems[i], SEED_WORD, weights[i]);
      if (i + 1 < stems.length) add(vector, `${stems[i]} ${stems[i + 1]}`, SEED_PAIR, bigramWeight * Math.sqrt(weights[i] * weights[i + 1]));
      if (charGramWeight > 0 && weights[i] >= 1 && words[i].length > 3) addCharGrams(vector, words[i], weights[i] * charGramWeight, add);
    }
    if (orderWeight > 0) {
      const content = stems.map((word, i) => ({ word, weight: weights[i] })).filter((item) => item.weight >= 1);
      for (let i = 0; i < content.length; i += 1) {
        for (let j = i + 1; j <= i + orderWindow && j < content.length; j += 1) {
          add(vector, `${content[i].word}>${content[j].word}`, SEED_ORDER, orderWeight * Math.sqrt(content[i].weight * content[j].weight));
        }
      }
    }
    return normaliseInPlace(vector);
  };

  return {
    id: `frugal-offline-hash-v1:${settings}`,
    dimensions,
    suggestedThreshold: OFFLINE_EMBEDDER_THRESHOLD,
    async embed(texts) {
      return texts.map(embedOne);
    },
  };
}

/**
 * The default hit threshold in this vector space, chosen for ≥ 0.95 precision on every development pair
 * file (`frugal cache eval`). QQP decides it: its negatives were picked to share words with positives, so
 * a lexical embedder reaches 0.95 precision there only from ~0.986 (0.962 at 0.99, with 2.6% recall).
 * At 0.99 this is a near-exact cache — case, punctuation, plurals, contractions, word order of filler —
 * not a paraphrase cache; a neural embedder with its own measured threshold is the way to more hits.
 */
export const OFFLINE_EMBEDDER_THRESHOLD = 0.99;

function addCharGrams(vector: Float32Array, word: string, weight: number, add: (vector: Float32Array, feature: string, seed: number, weight: number) => void) {
  const padded = `<${word}>`;
  const grams: string[] = [];
  for (let size = 3; size <= 4; size += 1) for (let i = 0; i + size <= padded.length; i += 1) grams.push(padded.slice(i, i + size));
  // Each word's grams share its weight, so a long word does not outweigh its own unigram many times over.
  const each = weight / Math.sqrt(grams.length);
  for (const gram of grams) add(vector, gram, SEED_GRAM, each);
}
