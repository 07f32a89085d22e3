import type { ApiModule } from '../platform/api-module.ts';
import { blueClerk } from './blueclerk/index.ts';
import { clevertim } from './clevertim/index.ts';

/**
 * Every API this server mounts, in banner order. An API joins by exporting an ApiModule from
 * `src/apis/<api>/index.ts` and being listed here; the platform does the rest (mounting, CLI, demo, banner).
 */
export const apis: ApiModule[] = [blueClerk, clevertim];
