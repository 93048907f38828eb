import type { ActionDeps } from './action-deps.js';
import { ChatActions } from './chat-actions.js';
import { MessageActions } from './message-actions.js';
import { RichSends } from './rich-send.js';

/** Every routed imsg mutation a client can ask for besides a plain send. */
export class HubActions {
  readonly messages: MessageActions;
  readonly chats: ChatActions;
  readonly sends: RichSends;

  constructor(deps: ActionDeps) {
    this.messages = new MessageActions(deps);
    this.chats = new ChatActions(deps);
    this.sends = new RichSends(deps);
  }
}
