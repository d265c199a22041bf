/**
 * `SerializerPipeline` and `Stage` (requests-cache's serializers/pipeline.py, 1.x, in our own
 * terms): a serializer made of steps. The first stage receives the plain entry (bodies as bytes,
 * src/serializers/types.ts) and each next one the previous one's output; `loads` runs them in
 * reverse. Built-in stages: the four serializers as first stages, and compression.
 */
import * as zlib from 'node:zlib';
import type { CachedEntry } from '../policy/types.js';
import type { StoredValue } from '../storage/record-store.js';
import { binarySerializer } from './binary.js';
import { bsonSerializer } from './bson.js';
import { checkEntry } from './entry-check.js';
import { jsonSerializer } from './json.js';
import type { Serializer } from './types.js';
import { yamlSerializer } from './yaml.js';

type Fn = (value: never) => unknown;

export interface StageOptions {
  /** Stable identifier of the stage, part of the pipeline's id. Default: the object's `id` or `name`. */
  id?: string;
  /** Name of the method that encodes. Default 'dumps'. */
  dumps?: string;
  /** Name of the method that decodes. Default 'loads'. */
  loads?: string;
}

/** One step: any object with an encode and a decode method (named `dumps`/`loads` unless told). */
export class Stage {
  readonly id: string;
  private readonly encode: (value: unknown) => unknown;
  private readonly decode: (value: unknown) => unknown;

  constructor(obj: object, options: StageOptions = {}) {
    const o = obj as Record<string, unknown>;
    const dumpsName = options.dumps ?? 'dumps';
    const loadsName = options.loads ?? 'loads';
    if (typeof o?.[dumpsName] !== 'function' || typeof o?.[loadsName] !== 'function') {
      throw new TypeError(`Invalid Stage: the object has no ${dumpsName}() and ${loadsName}() methods (pass { dumps, loads } to name them)`);
    }
    const id = options.id ?? (typeof o.id === 'string' ? o.id : typeof o.name === 'string' && o.name !== '' ? o.name : undefined);
    if (id === undefined) throw new TypeError('Invalid Stage: give it an id (new Stage(obj, { id: "…" })) so stored entries name how they were written');
    this.id = id;
    this.encode = (value) => (o[dumpsName] as Fn).call(obj, value as never);
    this.decode = (value) => (o[loadsName] as Fn).call(obj, value as never);
  }

  dumps(value: unknown): unknown {
    return this.encode(value);
  }

  loads(value: unknown): unknown {
    return this.decode(value);
  }
}

const asBytes = (value: unknown): Buffer => {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError('a compression stage needs text or bytes from the stage before it');
};

/** Text stages' output is compressed as UTF-8; decompression gives bytes, which the text stage before reads back as text. */
const asText = (value: unknown): unknown => (value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8') : value);

/** A first stage from a built-in serializer: entry in, text or bytes out. */
function serializerStage(serializer: Serializer, text: boolean): Stage {
  return new Stage({ id: serializer.id, dumps: (entry: CachedEntry) => serializer.dumps(entry), loads: (value: StoredValue) => serializer.loads((text ? asText(value) : value) as StoredValue) });
}

export const jsonStage = serializerStage(jsonSerializer, true);
export const yamlStage = serializerStage(yamlSerializer, true);
export const bsonStage = serializerStage(bsonSerializer, false);
export const binaryStage = serializerStage(binarySerializer, false);

export const gzipStage = new Stage({ id: 'gzip', dumps: (v: unknown) => zlib.gzipSync(asBytes(v)), loads: (v: unknown) => zlib.gunzipSync(asBytes(v)) });
export const deflateStage = new Stage({ id: 'deflate', dumps: (v: unknown) => zlib.deflateSync(asBytes(v)), loads: (v: unknown) => zlib.inflateSync(asBytes(v)) });
/** Quality 5, not zlib's default 11: 11 took 5 ms per 2 KB entry here (npm run bench), 5 keeps most of the gain. */
const BROTLI_OPTIONS = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } };
export const brotliStage = new Stage({ id: 'brotli', dumps: (v: unknown) => zlib.brotliCompressSync(asBytes(v), BROTLI_OPTIONS), loads: (v: unknown) => zlib.brotliDecompressSync(asBytes(v)) });

type ZstdZlib = { zstdCompressSync?: (b: Buffer) => Buffer; zstdDecompressSync?: (b: Buffer) => Buffer };

/**
 * zstd, only where the running Node has it (`zlib.zstdCompressSync`: Node >= 22.15 / 23.8). On an
 * older Node this throws at setup, naming the version, rather than failing on every write.
 */
export function zstdStage(): Stage {
  const z = zlib as unknown as ZstdZlib;
  const compress = z.zstdCompressSync;
  const decompress = z.zstdDecompressSync;
  if (!compress || !decompress) throw new RangeError(`zstdStage: this Node (${process.version}) has no zstd in node:zlib (it needs Node >= 22.15); use gzipStage or brotliStage`);
  return new Stage({ id: 'zstd', dumps: (v: unknown) => compress(asBytes(v)), loads: (v: unknown) => decompress(asBytes(v)) });
}

/** A serializer made of stages; its id is the stages' ids joined with '+', unless given. */
export class SerializerPipeline implements Serializer {
  readonly id: string;

  constructor(
    readonly stages: readonly Stage[],
    options: { id?: string } = {},
  ) {
    if (!Array.isArray(stages) || stages.length === 0 || !stages.every((s) => s instanceof Stage)) {
      throw new TypeError('Invalid SerializerPipeline: expected a non-empty list of Stage objects');
    }
    this.id = options.id ?? stages.map((s) => s.id).join('+');
  }

  dumps(entry: CachedEntry): StoredValue {
    let value: unknown = entry;
    for (const stage of this.stages) value = stage.dumps(value);
    if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw new TypeError(`the ${this.id} pipeline must end in text or bytes`);
    return value;
  }

  loads(data: StoredValue): CachedEntry {
    let value: unknown = data;
    for (let i = this.stages.length - 1; i >= 0; i -= 1) value = this.stages[i].loads(value);
    return checkEntry(value, this.id);
  }
}
