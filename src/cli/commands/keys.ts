import { initKeys, rotateSigningKey } from '../../plans/keys/keys.js';
import { parseCommandArgs, type Command } from '../command.js';

export const keysInit: Command = {
  name: 'keys init',
  summary: 'create the key material one deployment shares under KEYS_DIR (what is missing); prints what it made or found, never a secret',
  usage: 'keys init   (KEYS_DIR, default DATA_DIR/keys; keys still under DATA_DIR/keys are moved in)',
  async run(args, ctx) {
    parseCommandArgs(this, args, {});
    const report = initKeys(ctx.config.keysDir, { dataDir: ctx.config.dataDir });
    ctx.out(`KEYS_DIR ${ctx.config.keysDir}`);
    for (const r of report) ctx.out(`  ${r.state.padEnd(7)}  ${r.what}: ${r.file}${r.keyId ? ` (key id ${r.keyId})` : ''}`);
    return 0;
  },
};

export const keysRotateSigning: Command = {
  name: 'keys rotate-signing',
  summary:
    "a new access-log checkpoint signing key; the old one's public key stays in KEYS_DIR/checkpoint-keys so older checkpoints still verify",
  usage: 'keys rotate-signing   (then restart the nodes one at a time: each signs with the new key from its restart)',
  async run(args, ctx) {
    parseCommandArgs(this, args, {});
    const r = rotateSigningKey(ctx.config.keysDir);
    ctx.out(`checkpoint signing key rotated under ${ctx.config.keysDir}`);
    ctx.out(`  retired (public key kept): ${r.retired}`);
    ctx.out(`  now signing:               ${r.current}`);
    ctx.out(
      'restart each node (one at a time) to sign with the new key; export the new public key with `audit-key` for whoever verifies copies',
    );
    return 0;
  },
};
