export { runDemo, type DemoOptions } from './demo.js';
export { DEMO_ACCOUNTS, SCENARIO, PEOPLE } from './scenario.js';
