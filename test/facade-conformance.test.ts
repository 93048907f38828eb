import { describeImsgConformance } from './conformance/imsg-conformance.js';
import { makeFacadeTarget } from './conformance/facade-target.js';

// Issue 5 "Done when" 1: the imsg conformance suite of the simulator, unchanged, against
// `imsg-hub rpc` in front of a real hub, agent and imsg-sim.
describeImsgConformance('imsg-hub rpc (facade over hub + agent + imsg-sim)', makeFacadeTarget);
