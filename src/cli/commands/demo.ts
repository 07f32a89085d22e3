import { printJson, printLine, type Command } from '../command.ts';
import { cliContext, withDatabase } from '../database.ts';

/** `opsbase demo`: the same demo workspace `npm start` creates on an empty data directory. */
export const demo: Command = {
  name: 'demo',
  summary: 'Create the demo workspace if there is none',
  json: true,
  details: 'A Starter company, its owner with a generated password, and each API\'s demo data. The password is printed only when the workspace is created: only its hash is kept.',
  async run(input) {
    // The APIs (and through them fastify) load only for the commands that use them.
    const [{ apis }, { ensureDemo }] = await Promise.all([import('../../apis/index.ts'), import('../../platform/demo/demo.ts')]);
    const { demo: workspace, created } = await withDatabase(async (cli) => {
      const ctx = cliContext(cli);
      try {
        return await ensureDemo(ctx, apis);
      } finally {
        await ctx.background.stop();
      }
    });
    const { company, owner, password } = workspace;
    if (input.json) {
      return printJson({
        created,
        company: { id: company.id, name: company.name, plan: company.plan },
        login: { email: owner.email, password },
      });
    }
    printLine(created ? `Created the demo workspace: ${company.name} (${company.id}, plan ${company.plan})` : `The demo workspace exists: ${company.name} (${company.id}, plan ${company.plan})`);
    printLine(
      password
        ? `Demo login: ${owner.email} / ${password}`
        : `Demo login: ${owner.email} (its password was printed when it was created; change it with: opsbase user set-password --email ${owner.email} --password NEW)`,
    );
  },
};
