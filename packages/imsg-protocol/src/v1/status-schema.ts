import { z } from 'zod';

// `initialize` / `status` of imsg 0.14+ (reference/imsg-protocol-v1.md §1.4–1.8) and the CLI's
// `imsg status --json`. Tolerant of added keys, as clients must be.

export const IMSG_PROTOCOL_VERSION = 1;

/** The six booleans `database.features` derives from chat.db columns (§1.4). */
export const DatabaseFeaturesSchema = z.looseObject({
  unread_state: z.boolean(),
  scheduled_messages: z.boolean(),
  reactions: z.boolean(),
  reply_context: z.boolean(),
  routing_metadata: z.boolean(),
  balloon_payloads: z.boolean(),
});
export type DatabaseFeatures = z.infer<typeof DatabaseFeaturesSchema>;

export const DatabaseStatusSchema = z.looseObject({
  path: z.string(),
  ready: z.boolean(),
  features: DatabaseFeaturesSchema.optional(),
  error: z.string().optional(),
});

export const BridgeStatusSchema = z.looseObject({
  ready: z.boolean(),
  bridge_version: z.number().int().optional(),
  v2_ready: z.boolean().optional(),
  registry_available: z.boolean().optional(),
  selectors: z.record(z.string(), z.boolean()).optional(),
  error: z.string().optional(),
});
export type BridgeStatus = z.infer<typeof BridgeStatusSchema>;

/** `capabilities` (0.15.10): the build identity and named, integer-versioned features (§1.7). */
export const CapabilitiesSchema = z.looseObject({
  engine: z.looseObject({ version: z.string(), commit: z.string(), built_at: z.string() }),
  features: z.record(z.string(), z.number().int()),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

/** The name and version a client needs before sending an arbitrary emoji tapback. */
export const TAPBACK_EMOJI_FEATURE = 'tapback.emoji';
export const TAPBACK_EMOJI_VERSION = 2;

export const InitializeParamsSchema = z.strictObject({ protocol_version: z.number().int().optional() });

export const StatusResultSchema = z.looseObject({
  version: z.string(),
  protocol_version: z.number().int(),
  database: DatabaseStatusSchema,
  bridge: BridgeStatusSchema,
  contacts: z.looseObject({ available: z.boolean() }),
  methods: z.array(z.string()),
  supported_methods: z.array(z.string()),
  capabilities: CapabilitiesSchema.optional(),
});
export type StatusResult = z.infer<typeof StatusResultSchema>;

/** `imsg status --json` of 0.14+ (one line; 0.9's lacks `capabilities` and has bridge_version null). */
export const CliStatusSchema = z.looseObject({
  version: z.string(),
  basic_features: z.boolean(),
  advanced_features: z.boolean(),
  typing_indicators: z.boolean(),
  read_receipts: z.boolean(),
  sip: z.string(),
  message: z.string(),
  bridge_version: z.number().int().nullable(),
  v2_ready: z.boolean(),
  helper_version: z.string().optional(),
  selectors: z.record(z.string(), z.boolean()),
  rpc_methods: z.array(z.string()),
  capabilities: CapabilitiesSchema.optional(),
});
export type CliStatus = z.infer<typeof CliStatusSchema>;
