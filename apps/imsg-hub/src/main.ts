// `node dist/main.js <command>`: the same as the bin (bin/imsg-hub.js), for scripts that run the
// compiled entry directly.
import launcher from './launch.cjs';

await launcher.launch(process.argv);
