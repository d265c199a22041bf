/**
 * `backend: 'mongodb'` and `backend: 'gridfs'` through setupCache: the backend conformance suite on
 * jongodb started here (and on a real mongod when MONGO_URL is set).
 */
import { backendConformance } from '../../support/backend-conformance.js';
import { forEachMongoServer } from '../../support/servers/jongodb.js';
import { serializerRoundTrips } from '../../support/serializer-round-trips.js';

describe('integration: MongoDB backends through setupCache', () => {
  forEachMongoServer((target) => {
    describe('mongodb', () => {
      backendConformance((cacheName) => {
        target.track(cacheName);
        return { backend: 'mongodb', cacheName, connection: target.url() };
      }, { maxBody: 5 * 1024 * 1024 });
      serializerRoundTrips((serializer, cacheName) => {
        target.track(cacheName);
        return { backend: 'mongodb', serializer, cacheName, connection: target.url() };
      });
    });
    describe('gridfs', () => {
      backendConformance((cacheName) => {
        target.track(cacheName);
        return { backend: 'gridfs', cacheName, connection: target.url() };
      });
      serializerRoundTrips((serializer, cacheName) => {
        target.track(cacheName);
        return { backend: 'gridfs', serializer, cacheName, connection: target.url() };
      });
    });
  });
});
