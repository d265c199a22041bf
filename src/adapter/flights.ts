/**
 * In-process coalescing: concurrent identical cacheable requests share one network call.
 *
 * The shared call belongs to no single caller. Each caller waits on it with its own cancellation
 * (AbortSignal, CancelToken) and its own timeout; a caller that gives up leaves alone, and the shared
 * call is aborted only when every caller has left, so nothing leaks and nobody cancels the others.
 */
import { AxiosError, CanceledError, type InternalAxiosRequestConfig } from 'axios';
import type { BodyShape } from './response-data.js';

interface Flight {
  promise: Promise<unknown>;
  controller: AbortController;
  waiting: number;
  settled: boolean;
  /** The response is in hand (only storing it remains): callers can no longer time out or cancel. */
  responded: boolean;
  onResponded: Set<() => void>;
}

/**
 * How one caller may leave a shared call early, with the error its adapter would have given: the
 * Node http adapter reports a timeout as `timeoutErrorMessage` with ECONNABORTED (ETIMEDOUT under
 * `transitional.clarifyTimeoutError`) and an abort as `canceled`; the fetch adapter reports a timeout
 * as `timeout of Nms exceeded` with ETIMEDOUT and an abort with the signal's reason.
 */
export function waiterFor(config: InternalAxiosRequestConfig, shape: BodyShape) {
  const signal = config.signal as AbortSignal | undefined;
  return {
    signal,
    cancelToken: config.cancelToken,
    timeout: config.timeout ?? 0,
    timeoutError(): AxiosError {
      if (shape === 'fetch') return new AxiosError(`timeout of ${config.timeout}ms exceeded`, AxiosError.ETIMEDOUT, config);
      const message = config.timeoutErrorMessage || (config.timeout ? `timeout of ${config.timeout}ms exceeded` : 'timeout exceeded');
      const code = config.transitional?.clarifyTimeoutError ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED;
      return new AxiosError(message, code, config);
    },
    cancelError(): AxiosError {
      if (shape === 'fetch') {
        const reason: unknown = signal?.reason;
        if (reason instanceof AxiosError) {
          reason.config = config;
          return reason;
        }
        return new CanceledError(reason instanceof Error ? reason.message : (reason as string | undefined), config);
      }
      return new CanceledError(undefined, config);
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
   * Joins the call under `key`, starting it with `start(signal, responded)` if none is in progress
   * (or the one in progress was aborted: its cancellation belongs to the callers who left). Resolves
   * or rejects with the shared result, unless this waiter is cancelled or times out first. `start`
   * calls `responded()` once the response is in hand: from then on nobody times out or cancels, as
   * axios' own timeout and signal stop mattering once a response has arrived, so a slow cache write
   * never turns a response into an error.
   */
  join<T>(key: string, start: (signal: AbortSignal, responded: () => void) => Promise<T>, waiter?: Waiter): Promise<T> {
    let flight = this.flights.get(key);
    if (!flight || flight.controller.signal.aborted) {
      const controller = new AbortController();
      const created: Flight = { promise: Promise.resolve(), controller, waiting: 0, settled: false, responded: false, onResponded: new Set() };
      const responded = (): void => {
        if (created.responded) return;
        created.responded = true;
        for (const release of created.onResponded) release();
        created.onResponded.clear();
      };
      created.promise = start(controller.signal, responded).finally(() => {
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

      /** Stops listening for this caller's timeout and cancellation. */
      const release = (): void => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        waiter?.signal?.removeEventListener('abort', onAbort);
        waiter?.cancelToken?.unsubscribe(onCancel as never);
        flight.onResponded.delete(release);
      };
      const cleanup = (): void => {
        done = true;
        flight.waiting -= 1;
        release();
      };
      const leave = (error: unknown): void => {
        if (done || flight.responded) return;
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

      if (!waiter || flight.responded) return;
      if (waiter.signal?.aborted) return leave(waiter.cancelError());
      flight.onResponded.add(release);
      waiter.signal?.addEventListener('abort', onAbort, { once: true });
      waiter.cancelToken?.subscribe(onCancel as never);
      if (waiter.timeout > 0) timer = setTimeout(() => leave(waiter.timeoutError()), waiter.timeout);
    });
  }
}
