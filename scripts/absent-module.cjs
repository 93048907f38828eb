// Stands in, in the facade bundle, for ws's optional native add-ons (bufferutil, utf-8-validate):
// ws requires them in a try and falls back to JavaScript. Bundling this instead spares every spawn
// a failed search of node_modules.
throw new Error('optional native module not bundled');
