/**
 * A child process for the multi-process filesystem tests: opens the filesystem store on the folder
 * argv[2] and, for argv[3] rounds, writes every shared key (text and bytes, of varying sizes, tagged
 * argv[4]) and reads shared keys back, checking each value read is complete (some writer's whole
 * value, never a mix or a prefix). Prints one JSON line: writes, reads, bad reads, errors.
 * With argv[5] = 'big', it writes one 40 MB value over and over instead (to be killed mid-write).
 */
import { openFilesystemStore } from '../../src/storage/filesystem-store.js';
import { checkSharedValue, sharedKeys, sharedValue } from './filesystem-values.js';

const [folder, roundsText, tag, mode] = process.argv.slice(2) as [string, string, string, string | undefined];
const settings = { deadlineMs: 2000, ttlOffsetMs: 3_600_000, maxEntrySize: undefined, maxEntries: undefined, maxBytes: undefined };
const store = openFilesystemStore({ cacheName: folder, settings, readOnly: false });

if (mode === 'big') {
  const big = sharedValue(tag, 0, 40 * 1024 * 1024, false);
  console.log('writing');
  for (let i = 0; ; i += 1) await store.set('responses', sharedKeys[0]!, big);
}

let writes = 0;
let reads = 0;
const bad: string[] = [];
const errors: string[] = [];
for (let round = 0; round < Number(roundsText); round += 1) {
  await Promise.all(
    sharedKeys.map(async (key, i) => {
      try {
        await store.set('responses', key, sharedValue(tag, round, 512 + ((round * 7919 + i * 104729) % 200_000), i % 3 === 2));
        writes += 1;
        const back = await store.get('responses', sharedKeys[(i + round) % sharedKeys.length]!);
        reads += 1;
        const problem = checkSharedValue(back);
        if (problem) bad.push(problem);
      } catch (error) {
        errors.push(`${(error as Error).name}: ${(error as Error).message}`);
      }
    }),
  );
}
await store.close();
console.log(JSON.stringify({ writes, reads, bad, errors }));
