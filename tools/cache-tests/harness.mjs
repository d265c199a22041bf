// Runs http-tests/cache-tests (the suite behind cache-tests.fyi) against axios-keyv-cache.
//
// The suite's client engine (test-engine/client) calls the global `fetch` for everything: the PUT of
// each test's config, every test request, and the GET of the server's state. Here `fetch` is replaced
// by `axiosFetch`, which sends the request through ONE axios instance wrapped by `setupCache` from
// the library's src/index.ts (loaded through tsx, so every run measures the working tree), and turns
// the axios response back into a fetch-like Response. The origin is the suite's own server
// (./server.mjs, a child process on 127.0.0.1). See README.md.
//
// Run through ./run.sh (it sets CACHE_TESTS_DIR and AXIOS_KEYV_CACHE_DIR and adds the tsx loader).
// Exit status: 0 after a run, 2 when the library rejects the options, 1 on a usage or harness error.
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { register } from 'node:module'
import { dirname, join } from 'node:path'
import process from 'node:process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const SUITE = process.env.CACHE_TESTS_DIR
const MAIN = process.env.AXIOS_KEYV_CACHE_DIR
if (!SUITE || !MAIN) {
  console.error('CACHE_TESTS_DIR and AXIOS_KEYV_CACHE_DIR must be set: run this through run.sh')
  process.exit(1)
}
const INTERIM_CAPTURE = Symbol.for('axios-keyv-cache.cache-tests.interim-capture')

const usage = `usage: run.sh --mode browser|proxy [--options JSON] [--label NAME] [--id TEST_ID] [--chunk N] [--client C]
  --mode      browser: the suite's browser selection (private cache); proxy: its reverse-proxy
              selection (shared cache)
  --options   JSON object passed to setupCache after { backend: 'memory' } (default {})
  --label     name of the results files results/<label>.txt and .json (default: mode + options)
  --id        run one test only and dump its requests and responses (like the suite's --id)
  --chunk     how many tests run at once (default: all of them; the suite's CLI uses 25)
  --client    cache (default): axios + setupCache; axios: the same axios instance without the
              cache; native: Node's own fetch. The last two are controls for the harness.
environment: CACHE_TESTS_DIR (the suite, required), AXIOS_KEYV_CACHE_DIR (default: this checkout),
             NODE_BIN (default: node)`

let args
try {
  args = parseArgs({
    options: {
      mode: { type: 'string' },
      options: { type: 'string', default: '{}' },
      label: { type: 'string' },
      id: { type: 'string' },
      chunk: { type: 'string' },
      client: { type: 'string', default: 'cache' },
      help: { type: 'boolean', short: 'h' }
    }
  }).values
} catch (err) {
  console.error(`${err.message}\n${usage}`)
  process.exit(1)
}
if (args.help) { console.log(usage); process.exit(0) }
if (args.mode !== 'browser' && args.mode !== 'proxy') {
  console.error(`--mode must be browser or proxy (got ${JSON.stringify(args.mode)})\n${usage}`)
  process.exit(1)
}
const browser = args.mode === 'browser'
if (!['cache', 'axios', 'native'].includes(args.client)) {
  console.error(`--client must be cache, axios or native (got ${JSON.stringify(args.client)})`)
  process.exit(1)
}
let userOptions
try {
  userOptions = JSON.parse(args.options)
  if (userOptions === null || typeof userOptions !== 'object' || Array.isArray(userOptions)) throw new Error('not a JSON object')
} catch (err) {
  console.error(`--options: ${err.message}`)
  process.exit(1)
}
const label = args.label || [args.mode, args.client === 'cache' ? '' : args.client,
  args.options.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_|_$/g, '')].filter(Boolean).join('-')
const chunk = args.chunk === undefined ? Infinity : Number(args.chunk)
if (!(chunk >= 1)) { console.error('--chunk must be a number >= 1'); process.exit(1) }

// ---------------------------------------------------------------- the library, one axios instance
const { default: axios } = await import(pathToFileURL(`${MAIN}/node_modules/axios/index.js`).href)
const { setupCache } = await import(pathToFileURL(`${MAIN}/src/index.ts`).href)
const cacheOptions = { backend: 'memory', ...userOptions }
const instance = axios.create({
  validateStatus: () => true, // every status is a response, as for fetch
  responseType: 'arraybuffer' // body bytes as they came
})
let http_ = instance
if (args.client === 'cache') {
  try {
    http_ = setupCache(instance, cacheOptions)
  } catch (err) {
    console.error(`axios-keyv-cache rejected the options ${JSON.stringify(cacheOptions)}:\n  ${err.name}: ${err.message}`)
    process.exit(2)
  }
}

// ---------------------------------------------------------------- fetch -> axios -> fetch Response
class AxiosBackedResponse {
  #body
  constructor (res, url) {
    // A plain object, not a Response: the suite's server answers 999 ("304 Not Generated") when it
    // expected a conditional request, and the Response constructor refuses statuses outside 200-599.
    this.status = res.status
    this.statusText = res.statusText ?? ''
    this.ok = res.status >= 200 && res.status < 300
    this.url = url
    this.redirected = false
    this.type = 'basic'
    this.headers = new Headers()
    const raw = typeof res.headers?.toJSON === 'function' ? res.headers.toJSON() : (res.headers || {})
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined || value === null || value === false) continue
      // repeated headers: Node joins most with ", " (as fetch does) and keeps Set-Cookie as a list
      for (const v of Array.isArray(value) ? value : [value]) this.headers.append(name, String(v))
    }
    const data = res.data
    this.#body = data == null ? Buffer.alloc(0) : Buffer.isBuffer(data) ? data : data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(String(data))
    this.fromCache = res.fromCache === true
  }

  async arrayBuffer () { return this.#body.buffer.slice(this.#body.byteOffset, this.#body.byteOffset + this.#body.byteLength) }
  async text () { return new TextDecoder().decode(this.#body) }
  async json () { return JSON.parse(await this.text()) }
}

// Fetch's cache modes as the request headers a browser adds for them (Fetch, HTTP-network-or-cache
// fetch). Only browser-mode tests set `cache`; in proxy mode the engine sets 'no-store' for the
// client's own cache, which is not the cache under test, so it is ignored there.
function applyCacheMode (headers, mode) {
  if (mode === 'no-store' || mode === 'reload') {
    if (!('pragma' in headers)) headers.pragma = 'no-cache'
    if (!('cache-control' in headers)) headers['cache-control'] = 'no-cache'
  } else if (mode === 'no-cache') {
    if (!('cache-control' in headers)) headers['cache-control'] = 'max-age=0'
  }
}

function interimTransport (collector) {
  return {
    request (options, callback) {
      const req = http.request(options, callback)
      req.on('information', info => {
        collector.onResponseStart?.(null, info.statusCode, info.headers, info.statusMessage)
      })
      return req
    }
  }
}

async function axiosFetch (input, init = {}) {
  const url = String(input)
  const method = (init.method || 'GET').toUpperCase()
  // header list -> one value per name, duplicates joined with ", " as fetch's Headers does
  const headers = {}
  const list = init.headers instanceof Headers ? [...init.headers] : Array.isArray(init.headers) ? init.headers : Object.entries(init.headers || {})
  for (const [name, value] of list) {
    const key = name.toLowerCase()
    headers[key] = key in headers ? `${headers[key]}, ${value}` : String(value)
  }
  if (browser && init.cache) applyCacheMode(headers, init.cache)
  if (typeof init.body === 'string' && !('content-type' in headers)) headers['content-type'] = 'text/plain;charset=UTF-8'

  const config = { url, method, headers, signal: init.signal }
  if (init.body !== undefined && init.body !== null) config.data = init.body
  // fetch follows redirects unless told otherwise; the suite asks for 'manual' where it wants the 3xx
  if (init.redirect === 'manual' || init.redirect === 'error') config.maxRedirects = 0
  if (init.dispatcher?.[INTERIM_CAPTURE]) config.transport = interimTransport(init.dispatcher.collectingHandler())

  let res
  try {
    res = await http_.request(config)
  } catch (err) {
    if (axios.isCancel(err) || err?.code === 'ERR_CANCELED' || init.signal?.aborted) {
      throw new DOMException('This operation was aborted', 'AbortError')
    }
    // fetch rejects network failures with TypeError('fetch failed'); keep the cause's text
    throw new TypeError(`fetch failed: ${err?.code ? err.code + ' ' : ''}${err?.message ?? err}`, { cause: err })
  }
  if (init.redirect === 'error' && res.status >= 300 && res.status < 400 && res.headers?.location) {
    throw new TypeError('fetch failed: unexpected redirect')
  }
  return new AxiosBackedResponse(res, url)
}

// ---------------------------------------------------------------- the origin server
function startServer () {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'server.mjs')], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, CACHE_TESTS_DIR: SUITE, NODE_OPTIONS: '' }
    })
    let buf = ''
    let log = ''
    let ready = false
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', chunk => {
      if (ready) { log += chunk; if (args.id) process.stdout.write(chunk); return }
      buf += chunk
      const nl = buf.indexOf('\n')
      if (nl < 0) return
      ready = true
      const { port } = JSON.parse(buf.slice(0, nl))
      log += buf.slice(nl + 1)
      resolve({ child, port, log: () => log })
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', chunk => { log += chunk; process.stderr.write(chunk) })
    child.on('error', reject)
    child.on('exit', code => { if (!ready) reject(new Error(`origin server exited (${code}) before listening`)) })
  })
}

function stopServer (server) {
  if (server.child.exitCode === null) {
    server.child.stdin.end()
    server.child.kill('SIGTERM') // by its pid: the child we spawned
  }
}

// ---------------------------------------------------------------- run
// the engine's import('undici') (interim-response tests) gets ./undici-shim: see resolve-hook.mjs
register('./undici-shim/resolve-hook.mjs', import.meta.url, {
  data: { suiteURL: pathToFileURL(SUITE).href + '/' }
})
const { default: tests } = await import(pathToFileURL(`${SUITE}/tests/index.mjs`).href)
const { runTests, getResults } = await import(pathToFileURL(`${SUITE}/test-engine/client/runner.mjs`).href)
const { determineTestResult, resultTypes } = await import(pathToFileURL(`${SUITE}/test-engine/lib/results.mjs`).href)
const { testUUIDs } = await import(pathToFileURL(`${SUITE}/test-engine/client/test.mjs`).href)

const nativeFetch = globalThis.fetch
globalThis.fetch = args.client === 'native'
  ? (url, init = {}) => nativeFetch(url, { ...init, dispatcher: undefined }) // the shim is no dispatcher
  : axiosFetch

const server = await startServer()
const base = `http://127.0.0.1:${server.port}`
const started = Date.now()
let suites = tests
if (args.id) {
  suites = []
  for (const suite of tests) {
    for (const test of suite.tests) {
      if (test.id === args.id) {
        test.dump = true
        suites.push({ ...suite, tests: [test] })
      }
    }
  }
  if (!suites.length) { stopServer(server); console.error(`no test with id ${args.id}`); process.exit(1) }
}

try {
  await runTests(suites, browser, base, chunk === Infinity ? 100000 : chunk)
} catch (err) {
  stopServer(server)
  console.error('harness error:', err)
  process.exit(1)
}
stopServer(server)
const results = getResults()
const seconds = ((Date.now() - started) / 1000).toFixed(1)

if (args.id) {
  const r = determineTestResult(tests, args.id, results, false)
  console.log(`==== ${args.id}: ${r[2]} ${results[args.id] === true ? '' : JSON.stringify(results[args.id])}`)
  process.exit(0)
}

// ---------------------------------------------------------------- counts, as cache-tests.fyi
// A test passes when determineTestResult (dependencies honoured) says pass; a test whose dependency
// did not pass counts as not passed, even if its own assertions held (this reproduces the published
// counts of the suite's results/*.json exactly).
const names = Object.fromEntries(Object.entries(resultTypes).map(([k, v]) => [v[2], k]))
const selected = []
for (const suite of tests) {
  for (const test of suite.tests) {
    if (test.browser_only === true && !browser) continue
    if (test.cdn_only === true && browser) continue
    if (test.browser_skip === true && browser) continue
    const kind = test.kind || 'required'
    const type = determineTestResult(tests, test.id, results, true)
    selected.push({ suite, test, kind, type, outcome: names[type[2]] })
  }
}
const count = kind => {
  const all = selected.filter(s => s.kind === kind)
  const passed = all.filter(s => s.outcome === 'pass' || s.outcome === 'yes')
  return { passed: passed.length, total: all.length }
}
const req = count('required')
const opt = count('optimal')
const chk = count('check')
const byOutcome = {}
for (const s of selected) if (s.kind !== 'check') byOutcome[s.outcome] = (byOutcome[s.outcome] || 0) + 1

function why (s) {
  const r = results[s.test.id]
  if (s.outcome === 'dependency_fail') {
    const failed = s.test.depends_on.filter(d => !['pass', 'yes'].includes(names[determineTestResult(tests, d, results, true)[2]]))
    return `depends on ${failed.join(', ')} (not passed)${r === true ? '; its own checks passed' : `; own result: ${r?.[0]}: ${r?.[1]}`}`
  }
  if (r === undefined) return 'not run'
  return `${r[0]}: ${r[1]}`
}

const failing = selected.filter(s => s.kind !== 'check' && s.outcome !== 'pass')
const groups = new Map()
for (const s of failing) {
  const key = `${s.suite.name} (${s.suite.id})`
  const g = groups.get(key) || { required: 0, optimal: 0, dependency: 0 }
  g[s.kind]++
  if (s.outcome === 'dependency_fail') g.dependency++
  groups.set(key, g)
}
const anchors = new Map()
for (const s of failing) {
  for (const a of s.test.spec_anchors || s.suite.spec_anchors || ['(none)']) anchors.set(a, (anchors.get(a) || 0) + 1)
}

// root causes: follow not-passed dependencies down to tests that failed on their own
const bySelectedId = new Map(selected.map(s => [s.test.id, s]))
const outcomeOf = id => names[determineTestResult(tests, id, results, true)[2]]
function rootsOf (id, seen = new Set()) {
  if (seen.has(id)) return []
  seen.add(id)
  const t = bySelectedId.get(id)?.test || tests.flatMap(x => x.tests).find(x => x.id === id)
  const bad = (t.depends_on || []).filter(d => !['pass', 'yes'].includes(outcomeOf(d)))
  if (!bad.length) return [id]
  return bad.flatMap(d => outcomeOf(d) === 'dependency_fail' ? rootsOf(d, seen) : [d])
}
const roots = new Map()
for (const s of failing.filter(s => s.outcome === 'dependency_fail')) {
  for (const r of new Set(rootsOf(s.test.id))) roots.set(r, (roots.get(r) || 0) + 1)
}
const lines = []
lines.push(args.client === 'cache'
  ? `# cache-tests ${args.mode} mode, setupCache options ${JSON.stringify(cacheOptions)}`
  : `# cache-tests ${args.mode} mode, control client '${args.client}' (no cache)`)
lines.push(`# suite ${SUITE}, library ${MAIN}/src, node ${process.version}, ${new Date().toISOString()}, ${seconds}s`)
lines.push(`required ${req.passed}/${req.total}  optimal ${opt.passed}/${opt.total}  check yes ${chk.passed}/${chk.total}`)
lines.push(`not passed (required+optimal) by outcome: ${Object.entries(byOutcome).filter(([k]) => k !== 'pass').map(([k, v]) => `${k} ${v}`).join(', ')}`)
lines.push('')
lines.push('## failing groups (suite: required / optimal not passed, of which because of a dependency)')
for (const [k, g] of [...groups].sort((a, b) => (b[1].required + b[1].optimal) - (a[1].required + a[1].optimal))) {
  lines.push(`${String(g.required).padStart(3)} req ${String(g.optimal).padStart(3)} opt (${g.dependency} dep)  ${k}`)
}
lines.push('')
lines.push('## root causes: not-passed tests that make others dependency failures (count of those blocked)')
for (const [r, n] of [...roots].sort((a, b) => b[1] - a[1])) lines.push(`${String(n).padStart(3)}  ${r} [${outcomeOf(r)}]`)
lines.push('')
lines.push('## failing by RFC 9111 anchor (https://httpwg.org/specs/rfc9111.html#<anchor>; a test may have several)')
for (const [a, n] of [...anchors].sort((x, y) => y[1] - x[1])) lines.push(`${String(n).padStart(3)}  ${a}`)
lines.push('')
lines.push('## failing tests: [kind outcome] id -- name\n##     why')
for (const s of failing) {
  lines.push(`[${s.kind} ${s.outcome}] ${s.test.id} -- ${s.test.name}`)
  lines.push(`    ${why(s)}`)
}
lines.push('')
lines.push('## checks answered "no" (informational, not counted)')
for (const s of selected.filter(s => s.kind === 'check' && s.outcome !== 'yes')) {
  lines.push(`[check ${s.outcome}] ${s.test.id} -- ${s.test.name}`)
  lines.push(`    ${why(s)}`)
}

const outDir = join(here, 'results')
mkdirSync(outDir, { recursive: true })
writeFileSync(join(outDir, `${label}.txt`), lines.join('\n') + '\n')
writeFileSync(join(outDir, `${label}.json`), JSON.stringify(results, null, 2) + '\n')
const idOf = Object.fromEntries(Object.entries(testUUIDs).map(([id, uuid]) => [uuid, id]))
writeFileSync(join(outDir, `${label}.server.log`),
  server.log().replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, u => idOf[u] ? `${u} (${idOf[u]})` : u))

console.log(`${args.mode} ${args.client === 'cache' ? JSON.stringify(cacheOptions) : `[client ${args.client}, no cache]`}: required ${req.passed}/${req.total}, optimal ${opt.passed}/${opt.total} (check yes ${chk.passed}/${chk.total}) in ${seconds}s`)
console.log(`failing tests: ${join(outDir, label)}.txt; raw results (suite format): ${join(outDir, label)}.json`)
process.exit(0)
