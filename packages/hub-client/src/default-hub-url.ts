// No imports: `imsg-hub status` (spawned by OpenClaw for every probe) loads this file on its own
// through the package subpath `@imsg-hub/hub-client/default-hub-url`.

/** Where `imsg-hub serve` listens unless told otherwise (loopback, port 7311): the one default. */
export const DEFAULT_HUB_URL = 'ws://127.0.0.1:7311/';
