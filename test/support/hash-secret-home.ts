/**
 * Loaded before every test file (`.mocharc.yml` `require`): points XDG_CACHE_HOME at a temporary
 * folder, so caches on persistent backends write their generated hash secret there and never into
 * the real home directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const home = mkdtempSync(join(tmpdir(), 'akc-xdg-'));
process.env.XDG_CACHE_HOME = home;
delete process.env.AXIOS_KEYV_CACHE_HASH_SECRET;

process.on('exit', () => rmSync(home, { recursive: true, force: true }));
