/** Applying the caller's own `validateStatus`, as axios' `settle` does after a network response. */
import { AxiosError, type AxiosResponse } from 'axios';

export function settle<T extends AxiosResponse>(response: T): T {
  const validateStatus = response.config.validateStatus;
  if (!response.status || !validateStatus || validateStatus(response.status)) return response;
  // Same code choice as axios (undefined outside 4xx/5xx), so error handlers see no difference.
  const code = [AxiosError.ERR_BAD_REQUEST, AxiosError.ERR_BAD_RESPONSE][Math.floor(response.status / 100) - 4];
  throw new AxiosError(`Request failed with status code ${response.status}`, code, response.config, response.request, response);
}
