import { expect } from 'chai';
import { mergeNotModified } from '../../src/policy/revalidation.js';
import { ENTRY_FORMAT, type CachedEntry } from '../../src/policy/types.js';
import { at, entryWith } from '../support/entries.js';

const ETAG = '"v1"';

/** A stored 200 with a validator, a length and a cookie, expiring 10 s ago. */
function stored(): CachedEntry {
  return entryWith(
    {
      etag: ETAG,
      'cache-control': 'max-age=60',
      'content-length': '17',
      date: 'Thu, 01 Jan 2026 11:59:00 GMT',
      'set-cookie': ['a=1', 'b=2'],
    },
    { expires: at(-10) },
  );
}

/** A deep copy that keeps Buffers as Buffers, to compare against after a merge. */
function snapshot(entry: CachedEntry): CachedEntry {
  return {
    ...entry,
    headers: JSON.parse(JSON.stringify(entry.headers)),
    body: Buffer.from(entry.body),
    request: JSON.parse(JSON.stringify(entry.request)),
  };
}

describe('policy/revalidation', () => {
  describe('mergeNotModified', () => {
    it("merges the 304's headers over the stored ones, keeping those the 304 omits", () => {
      const { entry } = mergeNotModified(stored(), { date: 'Thu, 01 Jan 2026 12:00:00 GMT', 'x-served-by': 'edge-2' }, at(60));
      expect(entry.headers).to.deep.equal({
        'content-type': 'application/json',
        etag: ETAG,
        'cache-control': 'max-age=60',
        'content-length': '17',
        date: 'Thu, 01 Jan 2026 12:00:00 GMT',
        'set-cookie': ['a=1', 'b=2'],
        'x-served-by': 'edge-2',
      });
    });

    it('keeps createdAt, the body, the status and the stored request; sets the new expiry', () => {
      const cached = stored();
      const { entry } = mergeNotModified(cached, {}, at(60));
      expect(entry.expires).to.equal(at(60));
      expect(entry.createdAt).to.equal(at(-60));
      expect(entry.body.toString()).to.equal('{"items":[1,2,3]}');
      expect(entry.status).to.equal(200);
      expect(entry.statusText).to.equal('OK');
      expect(entry.url).to.equal(cached.url);
      expect(entry.request).to.deep.equal(cached.request);
      expect(entry.v).to.equal(ENTRY_FORMAT);
    });

    it('can set a never-expiring expiry', () => {
      expect(mergeNotModified(stored(), {}, null).entry.expires).to.equal(null);
    });

    it('does not mutate the stored entry', () => {
      const cached = stored();
      const before = snapshot(cached);
      const { entry } = mergeNotModified(cached, { etag: '"v2"', 'x-new': '1', 'content-length': '0' }, at(600));
      expect(cached).to.deep.equal(before);
      expect(entry).not.to.equal(cached);
      expect(entry.headers).not.to.equal(cached.headers);
      expect(entry.headers.etag).to.equal('"v2"');
    });

    describe('changed (docs/behaviour.md §10.26)', () => {
      it('is false when the expiry and every sent header are unchanged', () => {
        const cached = stored();
        expect(mergeNotModified(cached, { etag: ETAG, 'cache-control': 'max-age=60' }, cached.expires).changed).to.equal(false);
      });

      it('is false when headers are only missing from the 304', () => {
        const cached = stored();
        expect(mergeNotModified(cached, {}, cached.expires).changed).to.equal(false);
        expect(mergeNotModified(cached, { etag: ETAG }, cached.expires).changed).to.equal(false);
      });

      it('is false for a never-expiring entry that stays never-expiring', () => {
        const cached = entryWith({ etag: ETAG }, { expires: null });
        expect(mergeNotModified(cached, { etag: ETAG }, null).changed).to.equal(false);
      });

      it('is true when a header value changed', () => {
        const cached = stored();
        expect(mergeNotModified(cached, { etag: '"v2"' }, cached.expires).changed).to.equal(true);
      });

      it('is true when the 304 brings a new header', () => {
        const cached = stored();
        expect(mergeNotModified(cached, { 'x-request-id': '42' }, cached.expires).changed).to.equal(true);
      });

      it('is true when the expiry changed, including to or from never', () => {
        const cached = stored();
        expect(mergeNotModified(cached, {}, at(60)).changed).to.equal(true);
        expect(mergeNotModified(cached, {}, null).changed).to.equal(true);
        expect(mergeNotModified(entryWith({}, { expires: null }), {}, at(60)).changed).to.equal(true);
      });

      it('compares list headers by value', () => {
        // Not Set-Cookie: a 304 never adds that one (test/unit/response-decision.test.ts).
        const cached = entryWith({ 'x-list': ['a=1', 'b=2'] }, { expires: at(-10) });
        expect(mergeNotModified(cached, { 'x-list': ['a=1', 'b=2'] }, cached.expires).changed).to.equal(false);
        expect(mergeNotModified(cached, { 'x-list': ['a=1', 'b=3'] }, cached.expires).changed).to.equal(true);
        expect(mergeNotModified(cached, { 'x-list': 'a=1' }, cached.expires).changed).to.equal(true);
      });
    });

    describe('headers a 304 never replaces (RFC 9111 §3.2)', () => {
      it('improvement over requests-cache: a 304 Content-Length never replaces the stored one, even without Transfer-Encoding', () => {
        const cached = stored();
        const merged = mergeNotModified(cached, { 'content-length': '0' }, cached.expires);
        expect(merged.entry.headers['content-length']).to.equal('17');
        expect(merged.changed).to.equal(false);
      });

      it('does not add a Content-Length the stored entry lacked', () => {
        const cached = entryWith({ etag: ETAG }, { expires: at(-10) });
        const merged = mergeNotModified(cached, { 'content-length': '0' }, cached.expires);
        expect(merged.entry.headers).not.to.have.property('content-length');
        expect(merged.changed).to.equal(false);
      });

      it('ignores hop-by-hop headers in a 304', () => {
        const cached = stored();
        const hopByHop = {
          connection: 'close',
          'keep-alive': 'timeout=5',
          'proxy-connection': 'keep-alive',
          te: 'trailers',
          trailer: 'Expires',
          'transfer-encoding': 'chunked',
          upgrade: 'h2c',
        };
        const merged = mergeNotModified(cached, hopByHop, cached.expires);
        for (const name of Object.keys(hopByHop)) expect(merged.entry.headers, name).not.to.have.property(name);
        expect(merged.entry.headers['content-length']).to.equal('17');
        expect(merged.changed).to.equal(false);
      });

      it('keeps a stored Transfer-Encoding untouched by a 304', () => {
        const cached = entryWith({ etag: ETAG, 'transfer-encoding': 'chunked' }, { expires: at(-10) });
        const merged = mergeNotModified(cached, { 'transfer-encoding': 'identity', etag: ETAG }, cached.expires);
        expect(merged.entry.headers['transfer-encoding']).to.equal('chunked');
        expect(merged.changed).to.equal(false);
      });

      it('still merges end-to-end headers sent alongside the skipped ones', () => {
        const cached = stored();
        const merged = mergeNotModified(cached, { 'content-length': '0', connection: 'close', 'cache-control': 'max-age=120' }, at(120));
        expect(merged.entry.headers['cache-control']).to.equal('max-age=120');
        expect(merged.entry.headers['content-length']).to.equal('17');
        expect(merged.changed).to.equal(true);
      });
    });
  });
});
