import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import type { DemoWorkspace } from './demo/demo.ts';
import type { GuardRails } from './guard-rails.ts';
import type { OAuthServerConfig } from './oauth/config.ts';
import type { GroupDeletedHook } from './tenancy/groups.ts';

/**
 * How an API plugs into the platform. Each `src/apis/<api>/index.ts` exports one of these; the server
 * mounts it under `prefix` inside its own fastify encapsulation context, so its error dialect, auth
 * hooks and not-found answer apply to its paths only.
 */
export interface ApiModule {
  /** Short name used by the CLI (`--api blueclerk`) and in logs. */
  name: string;
  /** Human title for the banner and the console. */
  title: string;
  /** Mount point, e.g. `/blueclerk`. */
  prefix: string;
  /** Registers the API's routes; `app` is already scoped to `prefix`. */
  register(app: FastifyInstance, ctx: AppContext): Promise<void>;
  /**
   * Routes that must live outside the prefix, e.g. RFC 8414 metadata at
   * `/.well-known/oauth-authorization-server/<api>`. Keep this small.
   */
  registerRoot?(app: FastifyInstance, ctx: AppContext): Promise<void>;
  /** The API's OAuth 2.0 authorization server settings, when it has one (developer portal, `opsbase app create`). */
  oauth?: OAuthServerConfig;
  /** Links the console home shows for this API (operator pages, connected apps, ...). */
  consoleLinks?: { label: string; href: string }[];
  /**
   * Links the console home shows beside each of the person's companies (the API's pages for that
   * company); `:companyId` in `href` becomes the company's id.
   */
  companyConsoleLinks?: { label: string; href: string }[];
  /**
   * The API authenticates people with personal API tokens (src/platform/credentials): one per person and
   * company, issued under the API's `name` (`opsbase token create --api <name>`), starting with `prefix`
   * when its tokens have one.
   */
  personalApiTokens?: { prefix?: string };
  /**
   * A group of a company's people (tenancy groups) is being deleted: clear its bit from what the API
   * stored, in the deleting transaction, before a new group can be given the same bit.
   */
  groupDeleted?: GroupDeletedHook;
  /** Adds this API's data to the demo workspace (runs once, when the demo is created). */
  seedDemo?(ctx: AppContext, demo: DemoWorkspace): Promise<void>;
  /** One copy-paste command for the start banner that works as printed (may mint a fresh demo credential). */
  bannerExample?(ctx: AppContext, demo: DemoWorkspace): Promise<string | null>;
  /**
   * Fixtures for the guard-rail tests (cross-tenant matrix, OpenAPI property tests): an API that serves
   * an OpenAPI document must provide them, or those tests fail for it.
   */
  guardRails?: GuardRails;
}
