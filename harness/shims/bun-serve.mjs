// Serves a worker script on Bun, bound to 127.0.0.1 only.
//
// Usage: bun run bun-serve.mjs SCRIPT SYNTAX BINDINGS
// where SYNTAX is `module` or `service-worker` and BINDINGS is a JSON file of text bindings.
//
// For a module, Bun's own `bun run` would serve the default export on every interface. This
// passes the same object to Bun.serve with the hostname set instead. Bun calls `fetch` with
// (request, server) as it always does, and no bindings are passed. A service worker goes through the
// fetch-event shim in service-worker.mjs. The port is one that the system picks, and the line
// `listening on http://127.0.0.1:PORT` on stderr names it.

import { loadServiceWorker } from './service-worker.mjs';

const [scriptPath, syntax, bindingsPath] = process.argv.slice(2);

let options;
if (syntax === 'module') {
  options = (await import(scriptPath)).default;
} else {
  const bindings = JSON.parse(await Bun.file(bindingsPath).text());
  options = { fetch: loadServiceWorker(await Bun.file(scriptPath).text(), bindings) };
}
options.hostname = '127.0.0.1';
options.port = 0;

const server = Bun.serve(options);
console.error(`listening on http://127.0.0.1:${server.port}`);
