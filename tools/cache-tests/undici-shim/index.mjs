// Stand-in for `undici`, seen only by the suite's test-engine (resolve-hook.mjs maps its
// `import('undici')` here). The engine builds `new undici.Agent().compose(collector)` for tests that
// expect interim (1xx) responses and passes it to fetch as `init.dispatcher`. Our fetch goes through
// axios, not undici, so instead of dispatching anything this Agent hands the collector interceptor
// to the harness, which feeds it the 1xx responses Node's http client reports ('information' events)
// for requests that reach the network.
export const INTERIM_CAPTURE = Symbol.for('axios-keyv-cache.cache-tests.interim-capture')

export class Agent {
  compose (...interceptors) {
    return {
      [INTERIM_CAPTURE]: true,
      // returns the handler the engine's collector wraps around ours: call onResponseStart on it
      collectingHandler () {
        let captured
        let dispatch = (opts, handler) => { captured = handler; return true }
        for (const interceptor of interceptors.slice().reverse()) dispatch = interceptor(dispatch)
        dispatch({}, {})
        return captured
      }
    }
  }
}
