import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BatchService } from '../../batches/batch-service.js';
import type { BatchStore } from '../../batches/batch-store.js';
import { fileObject } from '../../batches/batch-wire.js';
import { TooLargeError } from '../../batches/limit-bytes.js';
import { FrugalError } from '../../errors/frugal-error.js';

/** The caller's scope: a virtual key sees only its own files and batches ('' when keys are off). */
export const ownerOf = (request: FastifyRequest) => request.frugalKey?.id ?? '';

const fileNotFound = (id: string) => new FrugalError('not_found', `No such File object: ${id}`, { param: 'file_id' });

function tooLarge(maxBytes: number): FrugalError {
  return new FrugalError('payload_too_large', `The file is larger than ${maxBytes} bytes, the most a batch input file may be.`, { param: 'file' });
}

/**
 * busboy (under @fastify/multipart) reports broken framing — no or empty boundary, a body or part cut short, a
 * malformed part header — as plain `Error`s with no code. The caller sent them: a 400, never a 500. Store and
 * file-system errors carry a code (SQLITE_*, pg's, ENOSPC) and programming errors a subclass, so neither matches.
 */
function isFramingError(error: unknown): boolean {
  return error instanceof Error && error.constructor === Error && !(error instanceof FrugalError) && (error as { code?: unknown }).code === undefined;
}

/** A list query parameter, given at most once: `?after=x&after=y` arrives as an array, which no store may see. */
export function singleQueryValue(query: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new FrugalError('invalid_request', `'${name}' may be given only once.`, { param: name });
  return value;
}

function pageLimit(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new FrugalError('invalid_request', `'limit' must be an integer from 1 to ${max}.`, { param: 'limit' });
  return limit;
}

/**
 * OpenAI's Files API for batch input: an upload is streamed straight into the batch store (a 200 MB file never sits
 * in memory), and output files are streamed back out. Purpose `batch` only: Frugal keeps files for batches.
 */
export function registerFilesRoute(app: FastifyInstance, { batches, store }: { batches: BatchService; store: BatchStore }) {
  const maxBytes = batches.settings.maxFileBytes;
  app.register(async (scope) => {
    // Scoped: multipart parsing exists for this route only. One part past the limit fails the upload.
    // One byte past the store's limit, so the store's own count refuses the file (busboy would silently truncate it).
    await scope.register(multipart, { limits: { fileSize: maxBytes + 1, files: 1, fields: 4, fieldSize: 1_024 } });
    scope.post('/v1/files', async (request) => {
      if (!request.isMultipart()) throw new FrugalError('invalid_request', 'Upload a file as multipart/form-data with fields file and purpose.', { param: 'file' });
      const owner = ownerOf(request);
      let purpose: string | undefined;
      let stored;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === 'purpose') purpose = String(part.value);
            continue;
          }
          if (part.fieldname !== 'file' || stored) {
            part.file.resume();
            continue;
          }
          stored = await batches.uploadFile(owner, part.filename || 'upload.jsonl', 'batch', part.file);
          if (part.file.truncated) {
            await store.deleteFile(stored.id, owner);
            throw tooLarge(maxBytes);
          }
        }
      } catch (error) {
        if (error instanceof TooLargeError || (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
        if (isFramingError(error)) {
          if (stored) await store.deleteFile(stored.id, owner);
          throw new FrugalError('invalid_request', `The upload is not valid multipart/form-data: ${(error as Error).message}`, { param: 'file' });
        }
        throw error;
      }
      if (!stored) throw new FrugalError('invalid_request', "The upload has no 'file' part.", { param: 'file' });
      if (purpose !== 'batch') {
        await store.deleteFile(stored.id, owner);
        throw new FrugalError('invalid_request', `'purpose' must be 'batch': Frugal stores files for the Batches API only${purpose === undefined ? '' : ` (got '${purpose}')`}.`, { param: 'purpose' });
      }
      return fileObject(stored);
    });
  });

  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/v1/files', async (request) => {
    const [after, purpose, order, limit] = ['after', 'purpose', 'order', 'limit'].map((name) => singleQueryValue(request.query, name));
    if (order !== undefined && order !== 'asc' && order !== 'desc') throw new FrugalError('invalid_request', "'order' must be 'asc' or 'desc'.", { param: 'order' });
    const page = await store.listFiles({ owner: ownerOf(request), after, purpose, order, limit: pageLimit(limit, 10_000, 10_000) });
    const data = page.data.map(fileObject);
    return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: page.hasMore };
  });

  app.get<{ Params: { id: string } }>('/v1/files/:id', async (request) => {
    const file = await store.getFile(request.params.id, ownerOf(request));
    if (!file) throw fileNotFound(request.params.id);
    return fileObject(file);
  });

  app.get<{ Params: { id: string } }>('/v1/files/:id/content', async (request, reply) => {
    const file = await store.getFile(request.params.id, ownerOf(request));
    if (!file) throw fileNotFound(request.params.id);
    return reply.header('content-type', 'application/octet-stream').header('content-length', String(file.bytes)).send(Readable.from(store.readFile(file.id)));
  });

  app.delete<{ Params: { id: string } }>('/v1/files/:id', async (request) => {
    if (!(await store.deleteFile(request.params.id, ownerOf(request)))) throw fileNotFound(request.params.id);
    return { id: request.params.id, object: 'file', deleted: true };
  });
}
