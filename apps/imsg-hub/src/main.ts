import { Command } from 'commander';
import { HUB_VERSION } from '@imsg-hub/hub';
import { registerDemo } from './commands/demo.js';
import { registerReads } from './commands/read.js';
import { registerSend } from './commands/send.js';
import { registerServe } from './commands/serve.js';
import { registerTail } from './commands/tail.js';
import { registerToken } from './commands/token.js';

const program = new Command('imsg-hub')
  .description('every Apple ID you own behind one hub')
  .version(process.env['IMSG_HUB_VERSION'] ?? HUB_VERSION, '-V, --version')
  .showHelpAfterError('(run imsg-hub --help for every command)');

registerServe(program);
registerToken(program);
registerReads(program);
registerTail(program);
registerSend(program);
registerDemo(program);

await program.parseAsync(process.argv);
