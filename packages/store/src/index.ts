export type {
  Store,
  AccountRecord,
  TokenRecord,
  TokenRole,
  IngestBatch,
  IngestOutcome,
  StoredRow,
  MessageFilter,
  ChatQuery,
  OutboxRecord,
  OutboxInsert,
  OutboxPatch,
} from './store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { openDatabase, migrate, type Durability } from './sqlite/database.js';
