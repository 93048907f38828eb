import type { AccountView } from './account-view.js';
import type { AttachmentCache } from './attachment-cache.js';
import type { CapabilityCache } from './capability-cache.js';
import type { FacadeLog } from './facade-log.js';
import type { FacadeOptions } from './facade-options.js';
import type { HubLink } from './hub-link.js';

/** What every method handler of the facade works with. */
export interface FacadeContext {
  readonly link: HubLink;
  readonly view: AccountView;
  readonly cache: AttachmentCache;
  readonly options: FacadeOptions;
  readonly log: FacadeLog;
  /** What the backing accounts can do now (imsg 0.15 mode). */
  readonly capabilities: CapabilityCache;
}
