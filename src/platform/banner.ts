import type { AppContext } from './context.ts';
import type { ApiModule } from './api-module.ts';
import type { DemoWorkspace } from './demo/demo.ts';

/** The short text printed at start: where things are, how to sign in, one working command per API. */
export async function renderBanner(ctx: AppContext, apis: ApiModule[], demo: DemoWorkspace | null): Promise<string> {
  const base = ctx.config.publicUrl;
  const lines = [
    '',
    `  Opsbase is running at ${base}`,
    `  Database: ${ctx.db.kind === 'embedded' ? `embedded PostgreSQL in ${ctx.db.description}` : ctx.db.description}`,
    `  Console:  ${base}/login`,
  ];
  if (demo) {
    lines.push(
      demo.password
        ? `  Demo login: ${demo.owner.email} / ${demo.password}`
        : `  Demo login: ${demo.owner.email} (password printed at first start; change it with: npx opsbase user set-password --email ${demo.owner.email} --password NEW)`,
    );
  }
  lines.push('', '  APIs:');
  if (apis.length === 0) lines.push('    (none mounted yet)');
  for (const api of apis) {
    lines.push(`    ${api.title.padEnd(14)} ${base}${api.prefix}`);
    const example = demo && api.bannerExample ? await api.bannerExample(ctx, demo) : null;
    if (example) lines.push(`      ${example}`);
  }
  lines.push('', `  Health:   curl -s ${base}/readyz`, '');
  return lines.join('\n');
}
