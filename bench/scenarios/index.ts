/** The scenarios of issue 10 item 1, in the order they run. */
import type { Scenario } from '../lib/scenario.js';
import { hotHit } from './a-hot-hit.js';
import { missOverhead } from './b-miss.js';
import { binaryHit } from './c-binary.js';
import { manyEntries } from './d-many-entries.js';
import { stampede } from './e-stampede.js';
import { revalidation } from './f-revalidation.js';
import { memoryPerEntry } from './g-memory.js';
import { bigBody } from './h-big-body.js';

export const SCENARIOS: Scenario[] = [hotHit, missOverhead, binaryHit, manyEntries, stampede, revalidation, memoryPerEntry, bigBody];
