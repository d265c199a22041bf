/**
 * `backend: 'mongodb'` and `backend: 'gridfs'` through setupCache: the backend conformance suite on
 * jongodb started here (and on a real mongod when MONGO_URL is set).
 */
import { backendConformance } from '../../support/backend-conformance.js';
import { forEachMongoServer } from '../../support/servers/jongodb.js';

describe('integration: MongoDB backends through setupCache', () => {
  forEachMongoServer((target) => {
    describe('mongodb', () => {
      backendConformance((cacheName) => {
        target.track(cacheName);
        return { backend: 'mongodb', cacheName, connection: target.url() };
      }, { maxBody: 5 * 1024 * 1024 });
    });
    describe('gridfs', () => {
      backendConformance((cacheName) => {
        target.track(cacheName);
        return { backend: 'gridfs', cacheName, connection: target.url() };
      });
    });
  });
});
