import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { ApiModule } from '../api-module.ts';

/** The console: sign-in, sessions and the pages people use. (Filled in by the console module.) */
export async function registerConsole(_app: FastifyInstance, _ctx: AppContext, _apis: ApiModule[]): Promise<void> {}
