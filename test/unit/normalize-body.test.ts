import { expect } from 'chai';
import { REDACTED } from '../../src/constants.js';
import { MULTIPART_BOUNDARY, canonicalContentType, normalizeBody } from '../../src/policy/normalize-body.js';

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';
const body = (raw: string | Buffer | undefined, type?: string, ignored: string[] = [], root?: string) =>
  normalizeBody(raw, type, ignored, root);

describe('normalizeBody (docs/behaviour.md §3.2)', () => {
  it('returns undefined for an absent or empty body', () => {
    expect(body(undefined, JSON_TYPE)).to.equal(undefined);
    expect(body('', JSON_TYPE)).to.equal(undefined);
    expect(body(Buffer.alloc(0), 'text/plain')).to.equal(undefined);
  });

  describe('JSON', () => {
    it('sorts object keys at every depth (requests-cache sorts the top level only)', () => {
      expect(body('{"b":{"z":1,"a":2},"a":"é"}', JSON_TYPE)).to.equal('{"a":"é","b":{"a":2,"z":1}}');
    });

    it('redacts ignored keys at any depth and in any case (requests-cache: top level, exact case)', () => {
      const out = body('{"tok":1,"Tok":2,"n":{"tok":3}}', JSON_TYPE, ['tok']);
      expect(out).to.equal(`{"Tok":"${REDACTED}","n":{"tok":"${REDACTED}"},"tok":"${REDACTED}"}`);
    });

    it('detects JSON media types case-insensitively, with parameters and +json suffixes', () => {
      for (const type of ['Application/JSON; charset=utf-8', 'application/vnd.api+json', 'application/ld+json']) {
        expect(body('{"b":1,"a":2}', type), type).to.equal('{"a":2,"b":1}');
      }
      expect(body('{"b":1,"a":2}', 'text/json')).to.equal('{"b":1,"a":2}');
    });

    it('keeps every element of a root array of strings, in order, even one equal to an ignored name', () => {
      expect(body('["b","tok","a"]', JSON_TYPE, ['tok'])).to.equal('["b","tok","a"]');
    });

    it('keeps array order: [3,1] and [1,3] may ask for different things (requests-cache sorts root lists)', () => {
      expect(body('[10, 9, 1.5]', JSON_TYPE)).to.equal('[10,9,1.5]');
      expect(body('[true, false]', JSON_TYPE)).to.equal('[true,false]');
      expect(body('[[1,"a"],[2]]', JSON_TYPE)).to.not.equal(body('[[2],[1,"a"]]', JSON_TYPE));
    });

    it('compacts any array, whatever its elements', () => {
      expect(body('[null, 1]', JSON_TYPE)).to.equal('[null,1]');
      expect(body('[[1], ["a"]]', JSON_TYPE)).to.equal('[[1],["a"]]');
    });

    it('sorts keys of objects inside arrays; leaves scalar roots and invalid JSON unchanged', () => {
      expect(body('[1, "a"]', JSON_TYPE)).to.equal('[1,"a"]');
      expect(body('[{"b":1,"a":2}]', JSON_TYPE)).to.equal('[{"a":2,"b":1}]');
      expect(body('"a string"', JSON_TYPE)).to.equal('"a string"');
      expect(body('{"a":1', JSON_TYPE)).to.equal('{"a":1');
    });

    it('keeps bodies of 2 bytes or less and over 10 MiB raw', () => {
      expect(body('{}', JSON_TYPE)).to.equal('{}');
      const big = `{"b":1,"a":"${'x'.repeat(10 * 1024 * 1024)}"}`;
      expect(body(big, JSON_TYPE)).to.equal(big);
    });

    it('keeps numbers as written, so integers beyond 2^53 never share a key', () => {
      const a = body('{"id":9007199254740993}', JSON_TYPE);
      const b = body('{"id":9007199254740992}', JSON_TYPE);
      expect(a).to.equal('{"id":9007199254740993}');
      expect(a).to.not.equal(b);
    });

    it('removes insignificant whitespace at every depth, but not inside strings', () => {
      expect(body('{ "b" : { "y" : [ 1 , 2 ] },\n "a" : "x  y" }', JSON_TYPE)).to.equal('{"a":"x  y","b":{"y":[1,2]}}');
    });

    it('never throws on deeply nested JSON, and keys it as its raw bytes', () => {
      const deep = `{"b":${'['.repeat(100000)}${']'.repeat(100000)},"a":1}`;
      expect(() => body(deep, JSON_TYPE)).to.not.throw();
      expect(body(deep, JSON_TYPE)).to.equal(deep);
    });

    it('contentRootKey changes nothing: the rules already apply at every depth', () => {
      const out = body('{"z":{"b":1,"a":2},"q":{"d":1,"tok":"x","c":2}}', JSON_TYPE, ['tok'], 'q');
      expect(out).to.equal(`{"q":{"c":2,"d":1,"tok":"${REDACTED}"},"z":{"a":2,"b":1}}`);
      expect(body('{"b":1,"a":2}', JSON_TYPE, [], 'q')).to.equal('{"a":2,"b":1}');
    });

    it('decodes a Buffer body and returns invalid UTF-8 unchanged', () => {
      expect(body(Buffer.from('{"b":1,"a":2}'), JSON_TYPE)).to.equal('{"a":2,"b":1}');
      const invalid = Buffer.from([0x22, 0xff, 0x22, 0x20]);
      expect(body(invalid, JSON_TYPE)).to.equal(invalid);
    });
  });

  describe('form', () => {
    it('normalizes form bodies like a query string, redacting ignored names', () => {
      expect(body('b=2&a=1&api_key=k&e=', FORM_TYPE, ['api_key'])).to.equal(`a=1&api_key=${REDACTED}&b=2`);
      expect(body(Buffer.from('b=2&a=1'), `${FORM_TYPE}; charset=utf-8`)).to.equal('a=1&b=2');
    });
  });

  describe('multipart', () => {
    it('replaces the boundary in the body, byte-safe', () => {
      const raw = Buffer.concat([
        Buffer.from('--XyZ123\r\nContent-Disposition: form-data; name="f"\r\n\r\n'),
        Buffer.from([0x00, 0xff, 0xfe]),
        Buffer.from('\r\n--XyZ123--\r\n'),
      ]);
      const out = body(raw, 'multipart/form-data; boundary=XyZ123');
      expect(Buffer.isBuffer(out)).to.equal(true);
      expect(out).to.deep.equal(
        Buffer.concat([
          Buffer.from(`--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="f"\r\n\r\n`),
          Buffer.from([0x00, 0xff, 0xfe]),
          Buffer.from(`\r\n--${MULTIPART_BOUNDARY}--\r\n`),
        ]),
      );
    });

    it('makes identical uploads with different random boundaries equal', () => {
      const upload = (b: string) => body(`--${b}\r\n\r\nhello\r\n--${b}--\r\n`, `multipart/form-data; boundary="${b}"`);
      expect(upload('axios-aaa')).to.equal(upload('axios-bbb'));
      expect(upload('axios-aaa')).to.not.equal(body('--x\r\n\r\nHELLO\r\n--x--\r\n', 'multipart/form-data; boundary=x'));
    });
  });

  it('hashes other bodies verbatim, order-sensitive (docs/behaviour.md §10.5)', () => {
    expect(body('b=2&a=1', 'text/plain')).to.equal('b=2&a=1');
    expect(body('{"b":1,"a":2}', undefined)).to.equal('{"b":1,"a":2}');
    const raw = Buffer.from([3, 2, 1]);
    expect(body(raw, 'application/octet-stream')).to.equal(raw);
  });
});

describe('canonicalContentType', () => {
  it('replaces a multipart boundary, quoted or not, keeping other parameters', () => {
    expect(canonicalContentType('multipart/form-data; boundary=abc')).to.equal(
      `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`,
    );
    expect(canonicalContentType('Multipart/Form-Data; boundary="a b"; charset=utf-8')).to.equal(
      `Multipart/Form-Data; boundary=${MULTIPART_BOUNDARY}; charset=utf-8`,
    );
  });

  it('leaves other content types unchanged', () => {
    expect(canonicalContentType('application/json; boundary=abc')).to.equal('application/json; boundary=abc');
    expect(canonicalContentType(undefined)).to.equal(undefined);
  });
});
