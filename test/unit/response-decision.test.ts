import { expect } from 'chai';
import { evaluateConditional, notModifiedHeaders } from '../../src/policy/conditional.js';
import { decideRead } from '../../src/policy/read-decision.js';
import { decideResponse, redirectTarget, type AdapterResponse, type LookupFacts } from '../../src/policy/response-decision.js';
import { mergeNotModified } from '../../src/policy/revalidation.js';
import { parseSettings } from '../../src/policy/settings.js';
import type { CachedEntry, HeaderRecord, StoredHeaders } from '../../src/policy/types.js';
import { ITEM_URL, NOW, actionsFor, entryWith, makeEntry, makeRequest } from '../support/entries.js';

const KEY_SETTINGS = { ignoredParameters: [], matchHeaders: false, serializerName: 'json' } as const;

function decide(response: Partial<AdapterResponse>, options: Record<string, unknown> = {}, requestHeaders: HeaderRecord = {}, method = 'GET', entry?: CachedEntry) {
  const request = makeRequest(requestHeaders, method);
  const lookup: LookupFacts = {
    request,
    actions: actionsFor(options, requestHeaders, {}),
    key: 'k',
    entryKey: 'k',
    entry,
    decision: entry ? { action: 'refetch', reason: 'test' } : { action: 'send', reason: 'test' },
  };
  return decideResponse(lookup, { status: 200, statusText: 'OK', headers: {}, body: Buffer.from('x'), ...response }, { settings: parseSettings(options), keySettings: { ...KEY_SETTINGS }, now: NOW });
}

const written = (d: ReturnType<typeof decide>) => d.action === 'return' && d.save !== undefined;

describe('policy/response-decision', () => {
  it('does not store a response with Set-Cookie unless storeSetCookie', () => {
    const d = decide({ headers: { 'set-cookie': ['sid=1'] } });
    expect(written(d)).to.equal(false);
    expect(d.action === 'return' && d.criteria?.['response Set-Cookie']).to.equal(true);
    const kept = decide({ headers: { 'set-cookie': ['sid=1'] } }, { storeSetCookie: true });
    expect(kept.action === 'return' && kept.save?.entry.headers['set-cookie']).to.deep.equal(['sid=1']);
  });

  it('a 304 never adds Set-Cookie to a stored entry', () => {
    const merged = mergeNotModified(makeEntry(), { 'set-cookie': 'sid=2', 'x-new': '1' }, null);
    expect(merged.entry.headers['set-cookie']).to.equal(undefined);
    expect(merged.entry.headers['x-new']).to.equal('1');
  });

  it('honours response no-store without cacheControl; ignoreResponseNoStore restores upstream', () => {
    expect(written(decide({ headers: { 'cache-control': 'no-store' } }))).to.equal(false);
    expect(written(decide({ headers: { 'cache-control': 'no-store' } }, { ignoreResponseNoStore: true }))).to.equal(true);
    expect(written(decide({ headers: { 'cache-control': 'no-store' } }, { ignoreResponseNoStore: true, cacheControl: true }))).to.equal(false);
    expect(() => parseSettings({ ignoreResponseNoStore: 'yes' })).to.throw(TypeError, /ignoreResponseNoStore/);
    expect(() => parseSettings({ storeSetCookie: 1 })).to.throw(TypeError, /storeSetCookie/);
  });

  it('never stores a 206 answering a request without Range', () => {
    const options = { allowableCodes: [200, 206] };
    expect(written(decide({ status: 206 }, options))).to.equal(false);
    expect(written(decide({ status: 206 }, options, { range: 'bytes=0-1' }))).to.equal(true);
  });

  it('serves a stored 206 only for the same Range', () => {
    const entry = makeEntry({ status: 206, request: { method: 'GET', url: ITEM_URL, headers: { range: 'bytes=0-1' } } });
    const settings = parseSettings({ allowableCodes: [200, 206] });
    const read = (headers: HeaderRecord) => decideRead(entry, { settings, actions: actionsFor({}, headers, {}), request: makeRequest(headers), now: NOW }).action;
    expect(read({ range: 'bytes=0-1' })).to.equal('serve');
    expect(read({})).to.equal('send');
    expect(read({ range: 'bytes=2-3' })).to.equal('send');
  });

  it('stores no hop-by-hop header, nor one named in Connection; statusText is always a string', () => {
    const headers: StoredHeaders = { connection: 'keep-alive, x-hop', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'x-hop': '1', 'x-end': '2', upgrade: 'h2c', te: 'trailers', trailer: 'x', 'proxy-connection': 'close' };
    const d = decide({ headers, statusText: undefined });
    expect(d.action === 'return' && d.save?.entry.headers).to.deep.equal({ 'x-end': '2' });
    expect(d.action === 'return' && d.save?.entry.statusText).to.equal('');
  });

  it('only an absolute http(s) final URL is a redirect target', () => {
    expect(redirectTarget('/relative')).to.equal(undefined);
    expect(redirectTarget('ftp://example.com/')).to.equal(undefined);
    expect(redirectTarget('https://example.com/final')).to.equal('https://example.com/final');
    const d = decide({ finalUrl: '/final' });
    expect(d.action === 'return' && d.save?.aliases).to.deep.equal([]);
  });

  it('does not store a response reached by a redirect that changed the method', () => {
    const options = { allowableMethods: ['GET', 'POST'] };
    const d = decide({ finalUrl: 'https://example.com/final', finalMethod: 'GET' }, options, {}, 'POST');
    expect(written(d)).to.equal(false);
    expect(d.action === 'return' && d.criteria?.['redirect changed the method']).to.equal(true);
    const same = decide({ finalUrl: 'https://example.com/final', finalMethod: 'POST' }, options, {}, 'POST');
    expect(same.action === 'return' && same.save?.aliases.map((r) => r.url)).to.deep.equal(['https://example.com/final']);
  });

  it("hands a 304 to the caller's own validators back without touching the entry", () => {
    const d = decide({ status: 304 }, {}, { 'if-none-match': '"v2"' }, 'GET', entryWith({ etag: '"v1"' }));
    expect(d.action).to.equal('return');
    expect(d.action === 'return' && (d.discard || d.save !== undefined)).to.equal(false);
  });

  it('a filterFn that throws (through the glue) or says no: not stored', () => {
    expect(written(decide({ passesFilter: () => false }))).to.equal(false);
  });

  describe('conditional.ts', () => {
    const entry = entryWith({ etag: 'W/"v1"', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT', 'content-type': 'text/plain', 'x-other': '1' });
    it('weak If-None-Match comparison, * and lists', () => {
      expect(evaluateConditional(entry, 'GET', { 'if-none-match': '"v1"' })).to.equal('not-modified');
      expect(evaluateConditional(entry, 'GET', { 'if-none-match': '"x", W/"v1"' })).to.equal('not-modified');
      expect(evaluateConditional(entry, 'GET', { 'if-none-match': '*' })).to.equal('not-modified');
      expect(evaluateConditional(entry, 'GET', { 'if-none-match': '"v2"' })).to.equal('modified');
      // If-None-Match wins over If-Modified-Since (RFC 9110 §13.1.3).
      expect(evaluateConditional(entry, 'GET', { 'if-none-match': '"v2"', 'if-modified-since': 'Thu, 22 Oct 2015 07:28:00 GMT' })).to.equal('modified');
    });
    it('If-Modified-Since against the stored Last-Modified', () => {
      expect(evaluateConditional(entry, 'GET', { 'if-modified-since': 'Wed, 21 Oct 2015 07:28:00 GMT' })).to.equal('not-modified');
      expect(evaluateConditional(entry, 'GET', { 'if-modified-since': 'Tue, 20 Oct 2015 07:28:00 GMT' })).to.equal('modified');
      expect(evaluateConditional(entry, 'GET', { 'if-modified-since': 'garbage' })).to.equal(undefined);
    });
    it('a 304 carries only the headers a 304 carries', () => {
      expect(notModifiedHeaders(entry.headers)).to.deep.equal({ etag: 'W/"v1"', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' });
    });
    it("an expired entry with the caller's validators is fetched with them alone", () => {
      const stale = entryWith({ etag: '"v1"' }, { expires: NOW - 1000 });
      const headers = { 'if-none-match': '"v2"' };
      const d = decideRead(stale, { settings: parseSettings({}), actions: actionsFor({}, headers, {}), request: makeRequest(headers), now: NOW });
      expect(d.action).to.equal('refetch');
    });
  });
});
