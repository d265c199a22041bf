// Module resolution hook (registered by harness.mjs with module.register): an `import('undici')`
// from the suite's tree resolves to ./index.mjs, so the suite needs no node_modules and its checkout
// is never written to. Other importers resolve as usual.
let suiteURL = ''
const shimURL = new URL('./index.mjs', import.meta.url).href

export function initialize (data) {
  suiteURL = data.suiteURL
}

export async function resolve (specifier, context, nextResolve) {
  if (specifier === 'undici' && context.parentURL?.startsWith(suiteURL)) {
    return { url: shimURL, shortCircuit: true }
  }
  return nextResolve(specifier, context)
}
