import { describeImsgConformance } from './conformance/imsg-conformance.js';
import { makeMinimalSchemaTarget, makeSimTarget } from './conformance/sim-target.js';

describeImsgConformance('imsg-sim rpc over a simulator-made chat.db', makeSimTarget);
describeImsgConformance('imsg-sim rpc over imsg’s minimal test schema', makeMinimalSchemaTarget);
