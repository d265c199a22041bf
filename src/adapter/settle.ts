/** Applying the caller's own `validateStatus`, as axios' `settle` does after a network response. */
import { AxiosError, type AxiosResponse } from 'axios';

export function settle<T extends AxiosResponse>(response: T): T {
  const validateStatus = response.config.validateStatus;
  if (!response.status || !validateStatus || validateStatus(response.status)) return response;
  // Same code choice as axios' settle (1.21: ERR_BAD_REQUEST for 4xx, ERR_BAD_RESPONSE for any other
  // rejected status), so error handlers see no difference.
  const code = response.status >= 400 && response.status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE;
  throw new AxiosError(`Request failed with status code ${response.status}`, code, response.config, response.request, response);
}
