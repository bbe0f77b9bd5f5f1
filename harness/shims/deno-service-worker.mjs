// Serves a service-worker script on Deno, which never dispatches fetch events itself.
//
// Usage: deno run --allow-net=127.0.0.1 --allow-read deno-service-worker.mjs SCRIPT BINDINGS
// where BINDINGS is a JSON file of text bindings. It binds 127.0.0.1 on a port that the system
// picks and prints `listening on http://127.0.0.1:PORT` to stderr.

import { loadServiceWorker } from './service-worker.mjs';

const [scriptPath, bindingsPath] = Deno.args;
const handler = loadServiceWorker(
  await Deno.readTextFile(scriptPath),
  JSON.parse(await Deno.readTextFile(bindingsPath)),
);

Deno.serve(
  {
    hostname: '127.0.0.1',
    port: 0,
    onListen: ({ port }) => console.error(`listening on http://127.0.0.1:${port}`),
  },
  handler,
);
