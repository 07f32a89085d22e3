/** The OpenAPI document's description: what a client needs before the first call. */
export const API_DESCRIPTION = [
  'The Clevertim CRM API: contacts, companies, cases, opportunities, tasks, notes, comments and custom fields, as JSON over REST.',
  '',
  '**Authentication.** HTTP Basic with your API token as the user name and any password, e.g. `curl -u TOKEN:X …/clevertim/api/contact`. Find or regenerate the token on the console page “Clevertim: My Info & Settings” of your company (regenerating ends the old token at once), or ask an operator for `opsbase token create --api clevertim`. Every call runs as you, with your permissions: owners, admins and members may add, change and delete; viewers only read.',
  '',
  '**Envelope.** Every success is HTTP 200 with `{"status": "OK", "content": [...]}` — `content` is always a list (one element for a single record, including the record you just added or changed); a delete answers `{"status": "OK"}` alone. Errors: `{"status": "ERROR", "error": "<message>"}` with 400 (read `error`), 401, 403, 404, 500 (your JSON cannot be parsed) or 501 (operation not supported).',
  '',
  '**Ids.** Numbers. Contacts and companies share one id space, so a bare `cust` id names exactly one of them: `/contact/{id}` answers only people, `/company/{id}` only companies.',
  '',
  '**Writes.** POST adds, PUT changes (the fields you send replace the stored ones; read-only fields such as `id`, `notes` or `lm` are ignored, so you may send back a whole record as read), DELETE removes. Write paths also work without `/api` (`/clevertim/contact`). Back-references (`notes`, `tasks`, `cases`, `opportunities`, `comments`) are read-only: set the link on the child (e.g. a note’s `cust`).',
  '',
  '**Visibility.** A record’s `gid` is the sum of the `gid` values of the groups (`GET /group`) that may see it, 0 for everyone; a private record (`is_private`) is its `puser`’s. Owners and admins see everything; a record you may not see answers 404 and is left out of lists. Groups are managed on the console page “Groups” or with `opsbase group`, not through the API.',
].join('\n');
