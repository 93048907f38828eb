import { imsgError } from '../imsg-error.js';
import { JsonFloat, type StrictJson } from './strict-json.js';

/** A chat target as the handlers resolve it: a recipient, or exactly one chat selector. */
export interface ChatTargetInput {
  recipient: string;
  chatId: number | undefined;
  chatIdentifier: string;
  chatGuid: string;
}

/** Key sets shared by many methods (RPCParameterKeys). */
export const ParamKeys = {
  chatTarget: ['chat_id', 'chat_identifier', 'chat_guid'],
  replyTarget: ['reply_to', 'replyTo', 'reply_to_guid', 'message_guid'],
  messageTarget: ['message_id', 'messageId', 'message_guid', 'messageGuid', 'message'],
  partIndex: ['part_index', 'partIndex'],
} as const;

/**
 * imsg 0.15's parameter rules (reference/imsg-protocol-v1.md §2.3): unknown keys rejected (the
 * lexicographically first is named), null never means absent, no coercions, aliases exclusive.
 */
export class StrictParams {
  readonly #values: Record<string, StrictJson>;

  constructor(values: Record<string, StrictJson>, method: string, supportedKeys: Iterable<string>) {
    const supported = new Set(supportedKeys);
    const unknown = Object.keys(values)
      .filter((k) => !supported.has(k))
      .sort()[0];
    if (unknown !== undefined) throw imsgError.invalidParams(`unknown ${method} param: ${unknown}`);
    this.#values = values;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.#values, key);
  }

  string(key: string, aliases: readonly string[] = []): string | undefined {
    const found = this.#selected(key, aliases);
    if (!found) return undefined;
    if (typeof found.value !== 'string') throw imsgError.invalidParams(`${found.name} must be a string`);
    return found.value;
  }

  /** A JSON integer: not a boolean, not written with a fraction or exponent, not a string. */
  integer(key: string, aliases: readonly string[] = []): number | undefined {
    const found = this.#selected(key, aliases);
    if (!found) return undefined;
    if (typeof found.value !== 'number') throw imsgError.invalidParams(`${found.name} must be an integer`);
    return found.value;
  }

  boolean(key: string, aliases: readonly string[] = []): boolean | undefined {
    const found = this.#selected(key, aliases);
    if (!found) return undefined;
    if (typeof found.value !== 'boolean') throw imsgError.invalidParams(`${found.name} must be a boolean`);
    return found.value;
  }

  stringArray(key: string, aliases: readonly string[] = []): string[] | undefined {
    const found = this.#selected(key, aliases);
    if (!found) return undefined;
    const v = found.value;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw imsgError.invalidParams(`${found.name} must be an array of strings`);
    return v as string[];
  }

  objectArray(key: string, aliases: readonly string[] = []): Record<string, StrictJson>[] | undefined {
    const found = this.#selected(key, aliases);
    if (!found) return undefined;
    const v = found.value;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof JsonFloat))) {
      throw imsgError.invalidParams(`${found.name} must be an array of objects`);
    }
    return v as Record<string, StrictJson>[];
  }

  /** Exactly one of chat_id / chat_identifier / chat_guid (or none, when not required). */
  chatTarget(required = true): ChatTargetInput {
    const supplied = ParamKeys.chatTarget.filter((k) => this.has(k));
    if (supplied.length > 1 || (required && supplied.length !== 1)) {
      throw imsgError.invalidParams('exactly one of chat_id, chat_identifier, or chat_guid is required');
    }
    const none: ChatTargetInput = { recipient: '', chatId: undefined, chatIdentifier: '', chatGuid: '' };
    switch (supplied[0]) {
      case undefined:
        return none;
      case 'chat_id': {
        const id = this.integer('chat_id');
        if (id === undefined || id <= 0) throw imsgError.invalidParams('chat_id must be a positive integer');
        return { ...none, chatId: id };
      }
      case 'chat_identifier': {
        const v = this.string('chat_identifier');
        if (!v) throw imsgError.invalidParams('chat_identifier must be a non-empty string');
        return { ...none, chatIdentifier: v };
      }
      default: {
        const v = this.string('chat_guid');
        if (!v) throw imsgError.invalidParams('chat_guid must be a non-empty string');
        return { ...none, chatGuid: v };
      }
    }
  }

  /** `to`, or exactly one chat selector, never both (send, typing, read). */
  recipientOrChatTarget(): ChatTargetInput {
    const selectors = ParamKeys.chatTarget.filter((k) => this.has(k)).length;
    if (this.has('to') && selectors > 0) throw imsgError.invalidParams('use to or exactly one chat selector; not both');
    if (this.has('to')) {
      const to = this.string('to');
      if (!to) throw imsgError.invalidParams('to must be a non-empty string');
      return { recipient: to, chatId: undefined, chatIdentifier: '', chatGuid: '' };
    }
    return this.chatTarget();
  }

  /** A message guid from message_id and its aliases, trimmed; undefined when absent or blank. */
  messageGuid(): string | undefined {
    const raw = this.string('message_id', ['messageId', 'message_guid', 'messageGuid', 'message'])?.trim();
    return raw ? raw : undefined;
  }

  #selected(key: string, aliases: readonly string[]): { name: string; value: StrictJson } | undefined {
    const keys = [key, ...aliases];
    const supplied = keys.filter((k) => this.has(k));
    if (supplied.length > 1) throw imsgError.invalidParams(`use only one of ${keys.join(', ')}`);
    const name = supplied[0];
    if (name === undefined) return undefined;
    const value = this.#values[name]!;
    if (value === null) throw imsgError.invalidParams(`${name} must not be null`);
    return { name, value };
  }
}

/** Union of key lists (RPCParameterKeys.combining). */
export function unionKeys(...sets: readonly (readonly string[])[]): string[] {
  return [...new Set(sets.flat())];
}

/** Every key `send.rich` takes (reference/imsg-protocol-v1.md §3.13), aliases included. */
export const SEND_RICH_KEYS: readonly string[] = unionKeys(ParamKeys.chatTarget, ParamKeys.replyTarget, ParamKeys.partIndex, [
  'text',
  'message',
  'file',
  'path',
  'url',
  'dd_scan',
  'ddScan',
  'effect_id',
  'effectId',
  'effect',
  'subject',
  'text_formatting',
  'textFormatting',
]);

/** Every key `send` takes (§3.12), aliases included; `send.tracked` adds `attempt_id`. */
export const SEND_KEYS: readonly string[] = unionKeys(ParamKeys.chatTarget, ParamKeys.replyTarget, [
  'to',
  'text',
  'file',
  'text_formatting',
  'textFormatting',
  'formatting',
  'service',
  'transport',
  'region',
  'allow_sms_fallback',
  'allowSMSFallback',
]);

/** Every key `send.attachment` takes (§3.14), aliases included. */
export const SEND_ATTACHMENT_KEYS: readonly string[] = unionKeys(ParamKeys.chatTarget, ParamKeys.replyTarget, ParamKeys.partIndex, [
  'file',
  'path',
  'audio',
  'is_audio',
  'as_voice',
]);

/** Every key `poll.vote` and `poll.unvote` take (§3.22), aliases included. */
export const POLL_VOTE_KEYS: readonly string[] = unionKeys(ParamKeys.chatTarget, [
  'poll_guid',
  'pollGuid',
  'creatorHandle',
  'option_id',
  'optionId',
  'optionIdentifier',
  'option_index',
  'optionIndex',
  'option',
]);

/** A tracked send's `attempt_id`: a UUID (any version), case-insensitive. */
export const ATTEMPT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
