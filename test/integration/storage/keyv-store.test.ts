/**
 * A user-supplied Keyv store (requests-cache's custom BaseCache) against the record-store contract
 * and the backend conformance suite: a @keyv/sqlite adapter in a file, shared by every cache name.
 */
import { KeyvSqlite } from '@keyv/sqlite';
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { join } from 'node:path';
import { KeyvStore, transportKeyv } from '../../../src/storage/keyv-store.js';
import { nameSegment } from '../../../src/storage/record-store.js';
import { backendConformance } from '../../support/backend-conformance.js';
import { storeConformance } from '../../support/store-conformance.js';
import { tempDir } from '../../support/temp.js';
import { serializerRoundTrips } from '../../support/serializer-round-trips.js';

describe('integration: a user-supplied Keyv store adapter as backend', () => {
  let uri = '';
  before(() => {
    uri = `sqlite://${join(tempDir(), 'keyv.sqlite')}`;
  });
  const foreign = () => new Keyv({ store: new KeyvSqlite({ uri }), namespace: 'app' });
  storeConformance((name) => new KeyvStore(transportKeyv(new KeyvSqlite({ uri }) as unknown as KeyvStoreAdapter, nameSegment(name)), `keyv store ${name}`), {
    foreign: {
      async plant() {
        const app = foreign();
        await app.set('settings', 'dark');
        await app.disconnect();
      },
      async stillThere() {
        const app = foreign();
        const value = await app.get('settings');
        await app.disconnect();
        return value === 'dark';
      },
    },
  });
  backendConformance((cacheName) => ({ backend: new KeyvSqlite({ uri }) as unknown as KeyvStoreAdapter, cacheName }));
  serializerRoundTrips((serializer, cacheName) => ({ backend: new KeyvSqlite({ uri }) as unknown as KeyvStoreAdapter, serializer, cacheName }));
});
