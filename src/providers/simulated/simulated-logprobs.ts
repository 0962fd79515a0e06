import { seededRandom } from './simulated-text.js';

/** One entry of OpenAI's `logprobs.content`. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }>;
}

export interface ChoiceLogprobs {
  content: TokenLogprob[] | null;
  refusal: null;
}

// A word (with the spaces before it) or one other character: close to how BPE cuts English and JSON.
const PIECE = /\s*(?:[\p{L}\p{N}_]+|[^\s])|\s+$/gsu;

/** The text cut into token-like pieces that join back to exactly the text: what is streamed and scored. */
export function splitIntoPieces(text: string): string[] {
  const pieces = text.match(PIECE) ?? [];
  return pieces.join('') === text ? pieces : [text];
}

const ALTERNATIVES = [' the', ' a', ' and', ' is', ' it', ' to', ',', '.', ' of', ' in', ' that', ' for', ' this', ' with', ' we', ' can', ' see', ' so', ' as', ' on'];

/**
 * Log-probabilities for the pieces, the same for the same seed: the chosen piece is always the likeliest
 * (between -0.9 and -0.001), and `top` alternatives follow in decreasing order, as a real model reports them.
 */
export function simulatedLogprobs(pieces: readonly string[], seed: string, top: number): ChoiceLogprobs {
  const random = seededRandom(`logprobs:${seed}`);
  const content = pieces.map((token): TokenLogprob => {
    const logprob = round(-0.001 - random() * 0.9);
    const top_logprobs: TokenLogprob['top_logprobs'] = top > 0 ? [{ token, logprob, bytes: bytesOf(token) }] : [];
    // Distinct alternatives, each less likely than the one before.
    const others = ALTERNATIVES.filter((alternative) => alternative !== token);
    const offset = Math.floor(random() * others.length);
    let next = logprob;
    for (let rank = 1; rank < Math.min(top, others.length + 1); rank += 1) {
      next = round(next - 0.5 - random() * 2);
      const alternative = others[(offset + rank - 1) % others.length];
      top_logprobs.push({ token: alternative, logprob: next, bytes: bytesOf(alternative) });
    }
    return { token, logprob, bytes: bytesOf(token), top_logprobs };
  });
  return { content, refusal: null };
}

function bytesOf(text: string): number[] {
  return [...Buffer.from(text, 'utf8')];
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
