/** The user's `filterFn`, judged on the response as the caller's code would see it. */
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CacheContext } from '../context.js';
import { transformedData } from './response-data.js';

export function passesFilter(ctx: CacheContext, config: InternalAxiosRequestConfig, response: AxiosResponse): boolean {
  const filterFn = ctx.settings.filterFn;
  if (!filterFn) return true;
  return filterFn({ ...response, data: transformedData(config, response) }) !== false;
}
