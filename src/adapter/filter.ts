/**
 * The user's `filterFn`, judged on one view of a response that every caller sharing it agrees on: the
 * body as text, run through the instance defaults' `transformResponse` (JSON parsed, as most callers
 * see it), never one caller's own `responseType` or transforms. So one caller's throwing transform
 * fails only that caller, and the verdict (store, or delete) does not depend on who asked first.
 * A view that cannot be built (a defaults transform that throws) or a filterFn that throws counts as
 * "do not store", logged: a broken filter must not turn a response into an error.
 */
import axios, { type AxiosResponseTransformer, type InternalAxiosRequestConfig } from 'axios';
import type { CacheContext } from '../context.js';
import { log } from '../debug.js';
import { buildResponse, type ResponseSource } from './build-response.js';
import type { BodyShape } from './response-data.js';
import { transformedData } from './response-data.js';
import type { CacheResponseFields } from '../types.js';

/** Where the shared view's transforms come from: the instance's defaults, read at call time. */
export type DefaultTransforms = () => AxiosResponseTransformer | AxiosResponseTransformer[] | undefined;

export const globalDefaults: DefaultTransforms = () => axios.defaults.transformResponse;

export function passesFilter(
  ctx: CacheContext,
  config: InternalAxiosRequestConfig,
  source: ResponseSource,
  fields: CacheResponseFields,
  shape: BodyShape,
  defaults: DefaultTransforms,
): boolean {
  const filterFn = ctx.settings.filterFn;
  if (!filterFn) return true;
  try {
    // responseType unset: text for every adapter shape (synchronous), which the default transform parses as JSON.
    const viewConfig = { ...config, responseType: undefined, transformResponse: defaults() } as InternalAxiosRequestConfig;
    const view = buildResponse(viewConfig, source, fields, shape) as Awaited<ReturnType<typeof buildResponse>>;
    return filterFn({ ...view, data: transformedData(viewConfig, view) }) !== false;
  } catch (error) {
    log('filterFn could not judge the response (treated as "do not store"): %O', error);
    return false;
  }
}
