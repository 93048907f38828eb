// The store port: records and the interface every adapter implements. Types only: the hub imports
// this entry and never an adapter (adapters are opened by the apps: `@imsg-hub/store/open`).
export type {
  AccountRecord,
  AffinityRecord,
  ChatRecord,
  CommitRecords,
  CopyRecord,
  HandleSource,
  MessageQuery,
  MessageSearch,
  MessageRecord,
  OutboxCounts,
  OutboxInsert,
  OutboxPatch,
  OutboxQuery,
  OutboxRecord,
  OwnHandleRecord,
  SendEventQuery,
  SendEventRecord,
  StoredBody,
  TokenRecord,
  TokenRole,
} from './port/records.js';
export { type BlobUpload, type OutboxChange, type Store, StoreConflictError } from './port/store.js';
export type { SharedBlobs } from './port/shared-blobs.js';
export { type RateTake, type SendRate, retryAfterS } from './port/send-rate.js';
