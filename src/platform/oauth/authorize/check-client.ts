import { findClient } from '../clients.ts';
import { InvalidClient } from '../errors.ts';
import type { AuthorizeContext } from './context.ts';
import { requiredParam } from './params.ts';

/** The client must be registered for this API. Failures are shown to the person, never redirected. */
export async function checkClient(ac: AuthorizeContext): Promise<void> {
  const clientId = requiredParam(ac.params, 'client_id');
  const client = await findClient(ac.ctx.db.orm, ac.config.api, clientId);
  if (!client) throw new InvalidClient(`No ${ac.config.apiTitle} app has the client_id "${clientId}".`);
  ac.client = client;
}
