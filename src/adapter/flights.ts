/**
 * In-process coalescing: concurrent identical cacheable requests share one network call.
 *
 * The shared call belongs to no single caller. Each caller waits on it with its own cancellation
 * (AbortSignal, CancelToken) and its own timeout; a caller that gives up leaves alone, and the shared
 * call is aborted only when every caller has left, so nothing leaks and nobody cancels the others.
 */
import { AxiosError, CanceledError, type InternalAxiosRequestConfig } from 'axios';

interface Flight {
  promise: Promise<unknown>;
  controller: AbortController;
  waiting: number;
  settled: boolean;
}

/** How one caller may leave a shared call early. */
export function waiterFor(config: InternalAxiosRequestConfig) {
  return {
    signal: config.signal as AbortSignal | undefined,
    cancelToken: config.cancelToken,
    timeout: config.timeout ?? 0,
    timeoutError(): AxiosError {
      const message = config.timeoutErrorMessage ?? (config.timeout ? `timeout of ${config.timeout}ms exceeded` : 'timeout exceeded');
      const code = config.transitional?.clarifyTimeoutError ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED;
      return new AxiosError(message, code, config);
    },
    cancelError(): InstanceType<typeof CanceledError> {
      return new CanceledError(undefined, undefined, config);
    },
  };
}

export type Waiter = ReturnType<typeof waiterFor>;

export class Flights {
  private readonly flights = new Map<string, Flight>();

  /** Number of shared calls in progress (for tests and metrics). */
  get size(): number {
    return this.flights.size;
  }

  /**
   * Joins the call under `key`, starting it with `start(signal)` if none is in progress. Resolves or
   * rejects with the shared result, unless this waiter is cancelled or times out first.
   */
  join<T>(key: string, start: (signal: AbortSignal) => Promise<T>, waiter?: Waiter): Promise<T> {
    let flight = this.flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const created: Flight = { promise: Promise.resolve(), controller, waiting: 0, settled: false };
      created.promise = start(controller.signal).finally(() => {
        created.settled = true;
        if (this.flights.get(key) === created) this.flights.delete(key);
      });
      // Nobody may be listening when the last waiter left; the rejection is then expected.
      created.promise.catch(() => undefined);
      this.flights.set(key, created);
      flight = created;
    }
    return this.wait(flight, waiter) as Promise<T>;
  }

  private wait(flight: Flight, waiter: Waiter | undefined): Promise<unknown> {
    flight.waiting += 1;
    return new Promise((resolve, reject) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => leave(waiter!.cancelError());
      const onCancel = (reason: unknown): void => leave(reason);

      const cleanup = (): void => {
        done = true;
        flight.waiting -= 1;
        if (timer) clearTimeout(timer);
        waiter?.signal?.removeEventListener('abort', onAbort);
        waiter?.cancelToken?.unsubscribe(onCancel as never);
      };
      const leave = (error: unknown): void => {
        if (done) return;
        cleanup();
        if (flight.waiting === 0 && !flight.settled) flight.controller.abort(error);
        reject(error);
      };

      flight.promise.then(
        (value) => {
          if (!done) {
            cleanup();
            resolve(value);
          }
        },
        (error: unknown) => {
          if (!done) {
            cleanup();
            reject(error);
          }
        },
      );

      if (!waiter) return;
      if (waiter.signal?.aborted) return leave(waiter.cancelError());
      waiter.signal?.addEventListener('abort', onAbort, { once: true });
      waiter.cancelToken?.subscribe(onCancel as never);
      if (waiter.timeout > 0) timer = setTimeout(() => leave(waiter.timeoutError()), waiter.timeout);
    });
  }
}
