/**
 * The GridFS backend: the MongoDB layout (mongo-store.ts: database per cacheName, or collections
 * prefixed by it in a named database), with response values in a GridFS bucket named `responses`
 * (collections `responses.files` and `responses.chunks`), so bodies above the 16 MiB document limit
 * are stored in 255 KiB chunks (https://www.mongodb.com/docs/manual/core/gridfs/). Redirect aliases
 * and meta stay plain documents (`redirects`, `meta`), shared with a mongodb cache of the same name.
 *
 * Built on the `mongodb` driver, not @keyv/mongo's `useGridFS`: its `clear()` is `bucket.drop()`,
 * which removes every cache's files in the bucket (and fails on jongodb, which has no `drop`).
 *
 * - A file's name is the key; `metadata` holds `{ kind, url, expires, createdAt, expiresAt }`.
 * - Overwrite: the new file is uploaded first, then older files of that name are deleted, so a
 *   reader never finds the key missing mid-write; readers take the newest (uploadDate, _id). The
 *   driver writes a file's `files` document after its last chunk, so a half-written upload is
 *   never found.
 * - Store-level TTL: no TTL index, since removing a `files` document would leave its chunks behind.
 *   Reads treat a passed `metadata.expiresAt` as absent, and `keys()`/`count()` of a writable store
 *   first delete such files with their chunks (so `delete({ expired })`, `count()` and the like
 *   clean up as they list).
 * - `clear()`: deleteMany on our files, chunks and redirects; never `bucket.drop()`.
 * - No value size limit (the conformance test plus a 20 MB round trip).
 */
import type { Collection, Db, Document, GridFSBucket, ObjectId } from 'mongodb';
import { liveFilter, MongoStore, PAGE_SIZE, type IndexWanted, type MongoModule } from './mongo-store.js';
import type { Bin, OpenStoreOptions, SetOptions, StoredValue, StoreFactory } from './record-store.js';

interface FileDoc {
  _id: ObjectId;
  filename: string;
  length: number;
  uploadDate: Date;
  metadata?: { kind?: 'text' | 'bytes'; url?: string; expires?: Date | null; createdAt?: Date; expiresAt?: Date };
}

interface Bucket {
  bucket: GridFSBucket;
  files: Collection<FileDoc>;
  chunks: Collection<Document>;
}

/** Newest version first: the same order every reader and writer uses. */
const NEWEST = { uploadDate: -1, _id: -1 } as const;

/** A reader that lost the race with an overwrite or delete (its file or a chunk went away) looks again. */
const READ_ATTEMPTS = 3;

export class GridfsStore extends MongoStore {
  override readonly maxValueSize: number | undefined = undefined;

  constructor(options: OpenStoreOptions) {
    super(options, 'gridfs');
  }

  private get bucketName(): string {
    return this.name('responses');
  }

  /** One GridFSBucket per database handle: a bucket checks its indexes before its first upload only. */
  private buckets = new WeakMap<Db, Bucket>();

  private async gridfs(): Promise<Bucket> {
    const db = await this.db();
    let bucket = this.buckets.get(db);
    if (!bucket) {
      const mongo = this.mongo as MongoModule;
      bucket = {
        bucket: new mongo.GridFSBucket(db, { bucketName: this.bucketName }),
        files: db.collection<FileDoc>(`${this.bucketName}.files`),
        chunks: db.collection(`${this.bucketName}.chunks`),
      };
      this.buckets.set(db, bucket);
    }
    return bucket;
  }

  /** A writer's bucket (refused read-only; indexes created once). */
  private async writableGridfs(): Promise<Bucket> {
    await this.writable('redirects');
    return this.gridfs();
  }

  /**
   * GridFS's own indexes (the driver creates them on the first upload into an empty bucket anyway),
   * plus the URL index for keysForUrl and an expiresAt index for the sweep; the redirects TTL index.
   */
  protected override wantedIndexes(): IndexWanted[] {
    const files = `${this.bucketName}.files`;
    return [
      [files, { filename: 1, uploadDate: 1 }, {}],
      [`${this.bucketName}.chunks`, { files_id: 1, n: 1 }, { unique: true }],
      [files, { 'metadata.url': 1 }, {}],
      [files, { 'metadata.expiresAt': 1 }, {}],
      [this.name('redirects'), { expiresAt: 1 }, { expireAfterSeconds: 0 }],
    ];
  }

  override async get(bin: Bin, key: string): Promise<StoredValue | undefined> {
    if (bin !== 'responses') return super.get(bin, key);
    const { bucket, files } = await this.gridfs();
    for (let attempt = 1; ; attempt += 1) {
      const file = await files.findOne({ filename: key }, { sort: NEWEST });
      if (!file) return undefined;
      const expiresAt = file.metadata?.expiresAt;
      if (expiresAt instanceof Date && expiresAt.getTime() <= Date.now()) return undefined;
      try {
        const parts: Buffer[] = [];
        for await (const chunk of bucket.openDownloadStream(file._id)) parts.push(chunk as Buffer);
        const bytes = Buffer.concat(parts);
        return file.metadata?.kind === 'text' ? bytes.toString('utf8') : bytes;
      } catch (error) {
        // FileNotFound (code ENOENT) or a chunk error: replaced or deleted while we read; look again.
        const lost = (error as NodeJS.ErrnoException)?.code === 'ENOENT' || (error as Error)?.name === 'MongoGridFSChunkError';
        if (attempt >= READ_ATTEMPTS || !lost) throw error;
      }
    }
  }

  override async set(bin: Bin, key: string, value: StoredValue, options: SetOptions = {}): Promise<void> {
    if (bin !== 'responses') return super.set(bin, key, value, options);
    const { bucket, files } = await this.writableGridfs();
    const { ttlMs, meta } = options;
    const now = Date.now();
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const metadata: NonNullable<FileDoc['metadata']> = {
      kind: typeof value === 'string' ? 'text' : 'bytes',
      ...(meta ? { url: meta.url, expires: meta.expires === null ? null : new Date(meta.expires) } : {}),
      createdAt: new Date(meta?.createdAt ?? now),
      ...(ttlMs === undefined ? {} : { expiresAt: new Date(now + ttlMs) }),
    };
    const upload = bucket.openUploadStream(key, { metadata });
    await new Promise<void>((resolve, reject) => {
      upload.once('error', reject);
      upload.once('finish', resolve);
      upload.end(bytes);
    });
    const uploaded = upload.gridFSFile;
    if (!uploaded) return;
    // Only versions older than ours: two writers racing on one key leave the newer file, not none.
    const older = await files
      .find({ filename: key, $or: [{ uploadDate: { $lt: uploaded.uploadDate } }, { uploadDate: uploaded.uploadDate, _id: { $lt: uploaded._id } }] }, { projection: { _id: 1 } })
      .toArray();
    await this.removeFiles(older.map((file) => file._id));
  }

  /** The files documents first (readers stop finding them), then their chunks. */
  private async removeFiles(ids: ObjectId[]): Promise<void> {
    if (ids.length === 0) return;
    const { files, chunks } = await this.writableGridfs();
    for (let i = 0; i < ids.length; i += PAGE_SIZE) {
      const page = ids.slice(i, i + PAGE_SIZE);
      await files.deleteMany({ _id: { $in: page } });
      await chunks.deleteMany({ files_id: { $in: page } });
    }
  }

  override async delete(bin: Bin, keys: readonly string[]): Promise<number> {
    if (bin !== 'responses') return super.delete(bin, keys);
    if (keys.length === 0) return 0;
    const { files } = await this.writableGridfs();
    const existed = new Set<string>();
    for (let i = 0; i < keys.length; i += PAGE_SIZE) {
      const found = await files.find({ filename: { $in: keys.slice(i, i + PAGE_SIZE) } }, { projection: { _id: 1, filename: 1 } }).toArray();
      await this.removeFiles(found.map((file) => file._id));
      for (const file of found) existed.add(file.filename);
    }
    return existed.size;
  }

  protected override async sweep(bin: Bin): Promise<void> {
    if (bin !== 'responses') return super.sweep(bin);
    if (this.options.readOnly) return;
    const { files } = await this.writableGridfs();
    const expired = await files.find({ 'metadata.expiresAt': { $lte: new Date() } }, { projection: { _id: 1 } }).toArray();
    await this.removeFiles(expired.map((file) => file._id));
  }

  /** Distinct file names, by keyset pagination on filename (versions of one key are adjacent). */
  override async *keys(bin: Bin): AsyncGenerator<string> {
    if (bin !== 'responses') {
      yield* super.keys(bin);
      return;
    }
    await this.sweep(bin);
    const { files } = await this.gridfs();
    let after: string | undefined;
    for (;;) {
      const live = liveFilter('metadata.expiresAt');
      const filter = after === undefined ? live : { $and: [live, { filename: { $gt: after } }] };
      const page = await files.find(filter, { projection: { filename: 1 } }).sort({ filename: 1 }).limit(PAGE_SIZE).toArray();
      for (const file of page) {
        if (file.filename === after) continue;
        after = file.filename;
        yield file.filename;
      }
      if (page.length < PAGE_SIZE) return;
    }
  }

  override async count(bin: Bin): Promise<number> {
    if (bin !== 'responses') return super.count(bin);
    await this.sweep(bin);
    const { files } = await this.gridfs();
    const [row] = await files.aggregate<{ n: number }>([{ $match: liveFilter('metadata.expiresAt') }, { $group: { _id: '$filename' } }, { $count: 'n' }]).toArray();
    return row?.n ?? 0;
  }

  override async keysForUrl(url: string): Promise<string[]> {
    const { files } = await this.gridfs();
    const found = await files.find({ $and: [{ 'metadata.url': url }, liveFilter('metadata.expiresAt')] }, { projection: { filename: 1 } }).toArray();
    return [...new Set(found.map((file) => file.filename))];
  }

  /** Our files, then our chunks (with any left by an interrupted upload), then the aliases. */
  override async clear(): Promise<void> {
    const { files, chunks } = await this.writableGridfs();
    await files.deleteMany({});
    await chunks.deleteMany({});
    await (await this.writable('redirects')).deleteMany({});
  }
}

export const openGridfsStore: StoreFactory = (options) => new GridfsStore(options);
