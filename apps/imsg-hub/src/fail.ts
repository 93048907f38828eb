import { ConfigError } from '@imsg-hub/hub';
import { HubError } from '@imsg-hub/hub-protocol';

/** Prints an error for a person (what went wrong, what to do) and sets a failing exit code. */
export function fail(err: unknown): never {
  const hub = HubError.from(err);
  if (hub) {
    process.stderr.write(`imsg-hub: ${hub.message} [${hub.hubCode}]\n`);
  } else if (err instanceof ConfigError) {
    process.stderr.write(`imsg-hub: ${err.message}\n`);
  } else {
    process.stderr.write(`imsg-hub: ${(err as Error)?.message ?? String(err)}\n`);
  }
  process.exit(1);
}
