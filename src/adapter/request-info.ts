/**
 * Turning the axios config the adapter receives (after every request interceptor and
 * transformRequest) into the plain request the policy reads.
 */
import axios, { AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { MULTIPART_BOUNDARY } from '../policy/normalize-body.js';
import type { HeaderRecord, RequestInfo } from '../policy/types.js';

export type BuiltRequest = { cacheable: true; info: RequestInfo } | { cacheable: false; reason: string };

/** Header names lower-cased; unset (null/undefined/false) values skipped; lists joined. */
export function plainHeaders(headers: unknown): HeaderRecord {
  const result: HeaderRecord = {};
  if (!headers || typeof headers !== 'object') return result;
  // AxiosHeaders keeps each header as an own enumerable property (what its toJSON walks), so they
  // are read directly, without the intermediate object toJSON builds.
  const source = headers instanceof AxiosHeaders || typeof (headers as { toJSON?: unknown }).toJSON !== 'function' ? headers : (headers as { toJSON(): object }).toJSON();
  for (const name of Object.keys(source)) {
    const value = (source as Record<string, unknown>)[name];
    if (value === undefined || value === null || value === false) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

interface FormDataPackage {
  getBuffer(): Buffer;
  getBoundary(): string;
}

const isFormDataPackage = (data: unknown): data is FormDataPackage =>
  typeof (data as FormDataPackage).getBuffer === 'function' && typeof (data as FormDataPackage).getBoundary === 'function';

const escapeQuotes = (value: string): string => value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');

/**
 * Spec FormData as multipart bytes with a fixed boundary, so identical uploads share a key whatever
 * boundary axios picks when it sends (docs/behaviour.md §3.2 "Multipart").
 */
async function formDataBytes(form: FormData): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const [name, value] of form.entries()) {
    let head = `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="${escapeQuotes(name)}"`;
    if (typeof value === 'string') {
      parts.push(Buffer.from(`${head}\r\n\r\n${value}\r\n`));
    } else {
      head += `; filename="${escapeQuotes(value.name)}"\r\nContent-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`;
      parts.push(Buffer.from(head), Buffer.from(await value.arrayBuffer()), Buffer.from('\r\n'));
    }
  }
  parts.push(Buffer.from(`--${MULTIPART_BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

type Body = { ok: true; body?: string | Buffer; contentType?: string } | { ok: false; reason: string };

/** Bodies that are already bytes or text; undefined for those that need reading (FormData, Blob). */
function bodyNow(data: unknown): Body | undefined {
  if (data === undefined || data === null) return { ok: true };
  if (typeof data === 'string' || Buffer.isBuffer(data)) return { ok: true, body: data };
  if (data instanceof ArrayBuffer) return { ok: true, body: Buffer.from(data) };
  if (ArrayBuffer.isView(data)) return { ok: true, body: Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
  if (data instanceof URLSearchParams) return { ok: true, body: data.toString() };
  if ((typeof FormData !== 'undefined' && data instanceof FormData) || (typeof Blob !== 'undefined' && data instanceof Blob)) {
    return undefined;
  }
  if (isFormDataPackage(data)) {
    // The `form-data` package can render itself when every part is in memory; a streamed part throws.
    try {
      return { ok: true, body: data.getBuffer(), contentType: `multipart/form-data; boundary=${data.getBoundary()}` };
    } catch {
      return { ok: false, reason: 'form-data body with streamed parts' };
    }
  }
  if (typeof (data as { pipe?: unknown }).pipe === 'function' || typeof (data as ReadableStream).getReader === 'function') {
    return { ok: false, reason: 'stream body (it cannot be read for the key without consuming it)' };
  }
  return { ok: true, body: JSON.stringify(data) };
}

async function bodyLater(data: FormData | Blob): Promise<Body> {
  if (data instanceof Blob) return { ok: true, body: Buffer.from(await data.arrayBuffer()) };
  return { ok: true, body: await formDataBytes(data), contentType: `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` };
}

/**
 * An Axios with empty defaults: `getUri` merges its defaults into the config it is given, and the
 * config here is already merged, so merging the global defaults again would only cost time.
 */
const bare = new axios.Axios({});

/**
 * URLs built without params, by (baseURL, url, allowAbsoluteUrls): `getUri` runs axios' whole
 * mergeConfig, a few microseconds a hit spends again for the same strings. Bounded; cleared when full.
 */
const builtUrls = new Map<string, string>();
const BUILT_URLS_SIZE = 2048;

/** The absolute URL axios will request: baseURL, url and params, built by axios' own `getUri`. */
export function fullUrl(config: Pick<InternalAxiosRequestConfig, 'url' | 'baseURL' | 'params' | 'paramsSerializer' | 'allowAbsoluteUrls'>): string {
  const { url, baseURL, params, paramsSerializer, allowAbsoluteUrls } = config;
  if (params != null || (url !== undefined && typeof url !== 'string') || (baseURL !== undefined && typeof baseURL !== 'string')) {
    return bare.getUri({ url, baseURL, params, paramsSerializer, allowAbsoluteUrls });
  }
  const memo = `${baseURL ?? ''}\0${url ?? ''}\0${String(allowAbsoluteUrls)}`;
  let built = builtUrls.get(memo);
  if (built === undefined) {
    built = bare.getUri({ url, baseURL, allowAbsoluteUrls });
    if (builtUrls.size >= BUILT_URLS_SIZE) builtUrls.clear();
    builtUrls.set(memo, built);
  }
  return built;
}

/**
 * The request as the policy sees it. Synchronous unless the body must be read first (FormData,
 * Blob): a cache hit should not pay for awaits it does not need.
 */
export function buildRequestInfo(config: InternalAxiosRequestConfig): BuiltRequest | Promise<BuiltRequest> {
  const body = bodyNow(config.data);
  return body ? withBody(config, body) : bodyLater(config.data as FormData | Blob).then((later) => withBody(config, later));
}

/**
 * {@link buildRequestInfo} without awaiting: `undefined` when the body must be read first
 * (spec FormData, Blob). The inspection API (`createKey`, `contains`, `delete`) goes through this
 * same converter, so it computes the key a real request stores under.
 */
export function buildRequestInfoNow(config: InternalAxiosRequestConfig): BuiltRequest | undefined {
  const body = bodyNow(config.data);
  return body ? withBody(config, body) : undefined;
}

/** `Basic` credentials as axios encodes them (UTF-8, then base64) in both the http and fetch adapters. */
function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The URL without `user:password@`, and the (decoded) credentials it carried; undefined when it
 * carries none. The cheap test comes first: a hit must not pay for parsing a URL without userinfo.
 */
export function splitUserinfo(url: string): { url: string; username: string; password: string } | undefined {
  if (!url.includes('@')) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (!parsed.username && !parsed.password) return undefined;
  const credentials = { username: decodeSafe(parsed.username), password: decodeSafe(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, ...credentials };
}

/**
 * Credentials as axios puts them on the wire, in the http and fetch adapters alike: the `auth` option
 * wins over userinfo in the URL; either replaces any Authorization header with `Basic`; userinfo is
 * never sent in the URL. So the cache sees the Authorization header the origin gets (an ignored
 * parameter by default: redacted, and a `Vary: Authorization` miss) and never stores a password
 * that was written into a URL. Returns the URL without userinfo; sets `headers.authorization`.
 */
export function applyCredentials(url: string, headers: HeaderRecord, auth: unknown): string {
  const inUrl = splitUserinfo(url);
  if (auth && typeof auth === 'object') headers.authorization = basic(ownText(auth, 'username'), ownText(auth, 'password'));
  else if (inUrl) headers.authorization = basic(inUrl.username, inUrl.password);
  return inUrl?.url ?? url;
}

/** An own property as text, as axios reads `auth` (a polluted Object.prototype must not count). */
function ownText(object: object, name: string): string {
  const value: unknown = Object.hasOwn(object, name) ? (object as Record<string, unknown>)[name] : undefined;
  return value ? String(value) : '';
}

function withBody(config: InternalAxiosRequestConfig, body: Body): BuiltRequest {
  if (!body.ok) return { cacheable: false, reason: body.reason };
  const headers = plainHeaders(config.headers);
  if (body.contentType) headers['content-type'] = body.contentType;
  const url = applyCredentials(fullUrl(config), headers, Object.hasOwn(config, 'auth') ? config.auth : undefined);
  const info: RequestInfo = { method: (config.method ?? 'get').toUpperCase(), url, headers };
  if (body.body !== undefined && body.body.length > 0) info.body = body.body;
  const agent = config.httpsAgent as { options?: { rejectUnauthorized?: boolean } } | undefined;
  if (agent?.options?.rejectUnauthorized === false) info.insecure = true;
  return { cacheable: true, info };
}
