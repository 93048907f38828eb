import { makeFacadeV1Target } from './conformance/facade-v1-target.js';
import { describeImsgV1Conformance } from './conformance/imsg-v1-conformance.js';

// Issue 14 "Done when": the imsg 0.15 conformance suite of the simulator against `imsg-hub rpc`
// (playing 0.15.10) in front of a real hub, agent and imsg-sim 0.15, for what the facade claims.
describeImsgV1Conformance('imsg-hub rpc (facade over hub + agent + imsg-sim 0.15)', makeFacadeV1Target);
