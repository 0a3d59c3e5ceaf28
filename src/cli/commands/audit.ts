import fs from 'node:fs';
import { loadAuditSigner } from '../../plans/audit-signer.js';
import { verifyAuditLog } from '../../plans/audit-verify.js';
import { CliError, parseCommandArgs, type Command } from '../command.js';

export const verifyAuditCommand: Command = {
  name: 'verify-audit',
  summary: "check the access log's hash chain and signed checkpoints; non-zero exit and the first bad event if broken",
  usage: 'verify-audit [--public-key FILE]   (default: the key under DATA_DIR; pass an exported copy to trust only that)',
  async run(args, ctx) {
    const { values } = parseCommandArgs(this, args, { 'public-key': { type: 'string' } });
    let pem: string | undefined;
    if (values['public-key']) {
      try {
        pem = fs.readFileSync(values['public-key'], 'utf8');
      } catch (e) {
        throw new CliError(`cannot read --public-key ${values['public-key']}: ${(e as Error).message}`);
      }
    } else {
      pem = loadAuditSigner(ctx.config.dataDir, { create: false })?.publicKeyPem;
    }
    const r = verifyAuditLog(ctx.db(), pem);
    if (!r.ok) {
      ctx.err(`access log BROKEN at event ${r.problem!.seq} (${r.problem!.kind}): ${r.problem!.detail}`);
      ctx.err(`walked ${r.events} events, ${r.checkpoints} checkpoints`);
      return 1;
    }
    ctx.out(
      `access log OK: ${r.events} events, head ${r.head.seq} ${r.head.hash.slice(0, 16)}…, ${r.checkpoints} signed checkpoints` +
        (r.uncheckpointed ? ` (${r.uncheckpointed} newest events not yet under a checkpoint)` : ''),
    );
    return 0;
  },
};

export const auditKeyCommand: Command = {
  name: 'audit-key',
  summary: 'print the public key (PEM) that verifies access-log checkpoints; keep a copy away from this machine',
  usage: 'audit-key',
  async run(args, ctx) {
    parseCommandArgs(this, args, {});
    const signer = loadAuditSigner(ctx.config.dataDir, { create: false });
    if (!signer) throw new CliError(`no audit signing key under ${ctx.config.dataDir} yet (the service creates it on first start)`);
    ctx.out(signer.publicKeyPem.trimEnd());
    return 0;
  },
};
