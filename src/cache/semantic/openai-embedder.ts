import { type Dispatcher, request } from 'undici';
import { FrugalError } from '../../errors/frugal-error.js';
import { transportError } from '../../providers/http/upstream-http.js';
import { openAIUpstreamError } from '../../providers/openai-compatible/openai-error.js';
import { type Embedder, normaliseInPlace } from './embedder.js';

export interface OpenAIEmbedderOptions {
  /** The API root including `/v1`, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Length of the vectors the model returns (1536 for text-embedding-3-small). */
  dimensions: number;
  /** Send `dimensions` in the request (OpenAI's v3 models shorten their vectors to it; others may reject it). */
  requestDimensions?: boolean;
  /** Inputs per HTTP request. */
  batchSize?: number;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  /** A threshold measured for this model, if you have one (see `frugal cache eval`). */
  suggestedThreshold?: number;
}

interface EmbeddingsPayload {
  data?: Array<{ index?: unknown; embedding?: unknown }>;
}

const PROVIDER_NAME = 'semantic-cache embedder';

/**
 * An embedder that calls any OpenAI-compatible `POST /embeddings` (OpenAI, vLLM, Ollama, LiteLLM, TEI…).
 * Vectors are re-normalised to unit length, since not every server returns them so.
 *
 * @example
 * const embedder = createOpenAIEmbedder({ baseUrl: 'https://api.openai.com/v1', apiKey, model: 'text-embedding-3-small', dimensions: 1536 });
 */
export function createOpenAIEmbedder(options: OpenAIEmbedderOptions): Embedder {
  const base = options.baseUrl.replace(/\/+$/, '');
  const batchSize = options.batchSize ?? 256;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  const embedBatch = async (texts: string[]): Promise<Float32Array[]> => {
    const body: Record<string, unknown> = { model: options.model, input: texts, encoding_format: 'float' };
    if (options.requestDimensions) body.dimensions = options.dimensions;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(`${base}/embeddings`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        dispatcher: options.dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      throw transportError(PROVIDER_NAME, error);
    }
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw openAIUpstreamError(PROVIDER_NAME, response.statusCode, text, response.headers['retry-after'], [options.apiKey]);
    }
    return parseEmbeddings(text, texts.length, options.dimensions);
  };

  return {
    // The endpoint is part of the id: one model name on two servers may be two different models.
    id: `openai-compatible:${base}:${options.model}:${options.dimensions}`,
    dimensions: options.dimensions,
    suggestedThreshold: options.suggestedThreshold,
    async embed(texts) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += batchSize) vectors.push(...(await embedBatch(texts.slice(start, start + batchSize))));
      return vectors;
    },
  };
}

function badResponse(message: string): FrugalError {
  return new FrugalError('upstream_bad_response', `${PROVIDER_NAME}: ${message}`);
}

/** Reads `data[].embedding` (float arrays or base64 little-endian float32), placed by `index`. */
export function parseEmbeddings(text: string, expected: number, dimensions: number): Float32Array[] {
  let payload: EmbeddingsPayload;
  try {
    payload = JSON.parse(text) as EmbeddingsPayload;
  } catch {
    throw badResponse('the embeddings response is not JSON.');
  }
  const data = payload.data;
  if (!Array.isArray(data) || data.length !== expected) throw badResponse(`expected ${expected} embeddings, got ${Array.isArray(data) ? data.length : 'none'}.`);
  const vectors = new Array<Float32Array>(expected);
  data.forEach((item, position) => {
    const index = typeof item.index === 'number' ? item.index : position;
    let vector: Float32Array;
    if (Array.isArray(item.embedding) && item.embedding.every((value) => typeof value === 'number')) vector = Float32Array.from(item.embedding as number[]);
    else if (typeof item.embedding === 'string') {
      const bytes = Buffer.from(item.embedding, 'base64');
      vector = new Float32Array(bytes.byteLength / 4);
      for (let i = 0; i < vector.length; i += 1) vector[i] = bytes.readFloatLE(i * 4);
    } else throw badResponse(`embedding ${index} is not a vector.`);
    if (vector.length !== dimensions) throw badResponse(`embedding ${index} has ${vector.length} dimensions, expected ${dimensions}.`);
    if (index < 0 || index >= expected || vectors[index] !== undefined) throw badResponse(`embedding index ${index} is out of place.`);
    vectors[index] = normaliseInPlace(vector);
  });
  return vectors;
}
