// The suite's origin server (test-engine/server), bound to 127.0.0.1 on a free port.
// Same dispatch as test-engine/server/server.mjs (config / test / state / files), without its
// pidfile and without listening on every interface. Prints one line: {"port": N}.
import http from 'node:http'
import process from 'node:process'
import { pathToFileURL } from 'node:url'

const root = process.env.CACHE_TESTS_DIR
if (!root) {
  console.error('CACHE_TESTS_DIR is not set (run.sh sets it)')
  process.exit(1)
}
const load = async name => (await import(pathToFileURL(`${root}/test-engine/server/${name}`).href)).default
const handleConfig = await load('handle-config.mjs')
const handleFile = await load('handle-file.mjs')
const handleState = await load('handle-state.mjs')
const handleTest = await load('handle-test.mjs')

let baseUrl = 'http://127.0.0.1/'

function handleMain (request, response) {
  const url = new URL(request.url, baseUrl)
  const pathSegs = url.pathname.split('/')
  pathSegs.shift()
  const dispatch = pathSegs.shift()
  if (dispatch === 'config') handleConfig(pathSegs, request, response)
  else if (dispatch === 'test') handleTest(pathSegs, request, response)
  else if (dispatch === 'state') handleState(pathSegs, request, response)
  else handleFile(url, request, response)
}

const server = http.createServer(handleMain)
const port = Number(process.env.PORT || 0)
server.listen(port, '127.0.0.1', () => {
  const addr = server.address()
  baseUrl = `http://127.0.0.1:${addr.port}/`
  process.stdout.write(JSON.stringify({ port: addr.port }) + '\n')
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
// the parent closes our stdin when it is done (or dies): exit then too
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
