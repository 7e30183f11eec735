import type { IncomingMessage } from 'node:http';
import { EmulatedClerkError, requestBodyInvalid } from './errors.ts';

export type JsonObject = Record<string, unknown>;

/** Reads the whole body, refusing more than `maxBytes` (answered as 413 in Clerk's envelope). */
export const readRequestBody = async (req: IncomingMessage, maxBytes: number): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      throw new EmulatedClerkError({
        status: 413,
        code: 'request_body_too_large',
        message: 'Request body too large',
        longMessage: `The request body must be at most ${maxBytes} bytes.`,
      });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
};

const mediaType = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/**
 * Parses a JSON object body. Body-level failures (absent when the spec marks the body required, wrong content type,
 * malformed JSON, not an object) are 400 `request_body_invalid`, a status every implemented path declares.
 * An absent optional body reads as `{}` so that a missing field is reported as that field (form_param_missing).
 */
export const parseJsonObjectBody = (
  raw: Buffer,
  contentType: string | undefined,
  opts: { readonly required: boolean },
): JsonObject => {
  if (raw.length === 0) {
    if (opts.required) throw requestBodyInvalid('The request body is required and must be a JSON object.');
    return {};
  }
  if (mediaType(contentType) !== 'application/json') {
    throw requestBodyInvalid('The request body must be sent with Content-Type: application/json.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw requestBodyInvalid('The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw requestBodyInvalid('The request body must be a JSON object.');
  }
  return parsed as JsonObject;
};
