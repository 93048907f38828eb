export { SourceError, type SourceErrorCode } from './errors.js';
export type { ImsgProcess, SourceExit, FileReadResult, TempFile, SourceFiles } from '@imsg-hub/agent';
export { LocalSource, type LocalSourceOptions } from './local-source.js';
export { LocalFiles } from './local-files.js';
export { SshSource, type SshSourceOptions } from './ssh-source.js';
export { parseHostKeyPin, fingerprintOf, type HostKeyPin } from './host-key.js';
export { remoteCommandLine, quoteArg } from './remote-command.js';
