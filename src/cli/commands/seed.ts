import { z } from 'zod';
import { seedSyntheticPlans } from '../../plans/demo/demo.js';
import { parseCommandArgs, validOptions, type Command } from '../command.js';
import { progressBar } from '../progress.js';

const seedOptions = z.strictObject({
  plans: z.coerce.number().int().min(0).max(1_000_000),
  seed: z.coerce.number().int().min(1).default(42),
});

export const seedCommand: Command = {
  name: 'seed',
  summary: 'synthetic plans (invented people) plus the demo organisations and agreement, for demos, tests and benchmarks',
  usage: 'seed --plans N [--seed S]',
  async run(args, ctx) {
    const { values } = parseCommandArgs(this, args, { plans: { type: 'string' }, seed: { type: 'string' } });
    const opts = validOptions(this, seedOptions, values);
    const bar = progressBar(ctx.isTTY, 'seeding');
    const started = performance.now();
    const s = await seedSyntheticPlans(await ctx.db(), opts.plans, { seed: opts.seed, now: ctx.now, onProgress: bar.update });
    bar.stop();
    const secs = (performance.now() - started) / 1000;
    ctx.out(
      `seeded ${opts.plans} synthetic plans in ${secs.toFixed(1)} s: ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged`,
    );
    return 0;
  },
};
