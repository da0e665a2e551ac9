// syncobj-node's entry point: the member itself, or its `kv` and `dev` subcommands.

import { SyncobjError } from '../errors.js';
import { asksForVersion, packageVersion } from '../package-version.js';
import { NODE_USAGE, parseNodeArgs } from './node-config.js';

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    if (asksForVersion(argv)) {
      process.stdout.write(`syncobj-node ${packageVersion()}\n`);
      return 0;
    }
    if (argv[0] === 'kv') return await (await import('./kv-command-line.js')).runKvCommand(argv.slice(1), env);
    if (argv[0] === 'dev') return await (await import('./dev-cluster.js')).runDevCluster(argv.slice(1), env);
    const config = parseNodeArgs(argv);
    if (config === 'help') {
      process.stdout.write(NODE_USAGE);
      return 0;
    }
    return await (await import('./run-node.js')).runNodeProcess(config, env);
  } catch (err) {
    if (err instanceof SyncobjError) {
      process.stderr.write(`syncobj-node: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`syncobj-node: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 70;
  }
}
