import { describeImsgV1Conformance } from './conformance/imsg-v1-conformance.js';
import { makeSimV1Target } from './conformance/sim-v1-target.js';

describeImsgV1Conformance('imsg-sim rpc (imsg 0.15.10, bridge ready)', makeSimV1Target);
