/**
 * Building the AxiosResponse a caller receives, from a stored entry or a network result. Every call
 * builds new headers and new data, so no two callers share an object.
 */
import { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { isExpired } from '../policy/read-decision.js';
import type { CachedEntry, StoredHeaders } from '../policy/types.js';
import type { CacheAxiosResponse, CacheResponseFields } from '../types.js';
import { bodyForResponseType, type BodyShape } from './response-data.js';

export interface ResponseSource {
  status: number;
  statusText: string;
  headers: StoredHeaders;
  body: Buffer;
  /** The network request object, when there was one. */
  request?: unknown;
  /** See BodyContext.cacheKey. */
  cacheKey?: string;
}

/** What stands in `response.request` for a response served from the cache. */
export function cachedRequestStub(entry: CachedEntry): object {
  return {
    fromCache: true,
    method: entry.request.method,
    url: entry.request.url,
    // Where code reads the final URL of a followed redirect in Node (`request.res.responseUrl`).
    res: { responseUrl: entry.url, statusCode: entry.status },
  };
}

/**
 * The response for one caller. Synchronous for every shape but the fetch adapter's `blob` and
 * `formdata`, whose data is built by `Response` (a hit should not pay for awaits it does not need).
 * A body the caller's settings cannot decode (an unknown `responseEncoding`) fails as axios fails it:
 * an AxiosError around the decoding error, with the response.
 */
export function buildResponse(
  config: InternalAxiosRequestConfig,
  source: ResponseSource,
  fields: CacheResponseFields,
  shape: BodyShape,
): CacheAxiosResponse | Promise<CacheAxiosResponse> {
  const response: CacheAxiosResponse = {
    data: undefined,
    status: source.status,
    statusText: source.statusText,
    // Stored names and values came from AxiosHeaders (already validated), so they are copied in
    // directly; AxiosHeaders keeps each header as an own property.
    headers: Object.assign(new AxiosHeaders(), source.headers),
    config,
    request: source.request,
    ...fields,
  };
  let data: unknown;
  try {
    data = bodyForResponseType(source.body, config, shape, source);
  } catch (error) {
    throw decodingError(error, config, source, response);
  }
  if (!(data instanceof Promise)) {
    response.data = data;
    return response;
  }
  return data.then(
    (value: unknown) => {
      response.data = value;
      return response;
    },
    (error: unknown) => {
      throw decodingError(error, config, source, response);
    },
  );
}

function decodingError(error: unknown, config: InternalAxiosRequestConfig, source: ResponseSource, response: CacheAxiosResponse): AxiosError {
  return AxiosError.from(error as Error, undefined, config, source.request, response);
}

export function fieldsForEntry(entry: CachedEntry, key: string | undefined, now: number, revalidated: boolean): CacheResponseFields {
  return {
    fromCache: true,
    createdAt: new Date(entry.createdAt),
    expires: entry.expires === null ? null : new Date(entry.expires),
    isExpired: isExpired(entry, now),
    revalidated,
    cacheKey: key,
  };
}

/** A response that did not come from the cache; `expires` and `cacheKey` only if it was written. */
export function fieldsForNetwork(createdAt: number, written?: { key: string; expires: number | null }): CacheResponseFields {
  return {
    fromCache: false,
    createdAt: new Date(createdAt),
    expires: written?.expires == null ? null : new Date(written.expires),
    isExpired: false,
    revalidated: false,
    cacheKey: written?.key,
  };
}

/** Stored form of response headers: lower-case names, `set-cookie` kept as a list. */
export function storedHeaders(headers: unknown): StoredHeaders {
  const result: StoredHeaders = {};
  const source = headers instanceof AxiosHeaders ? headers.toJSON() : (headers as Record<string, unknown>);
  for (const [name, value] of Object.entries(source ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return result;
}
