addEventListener('fetch', (event) => {
  // The first response waits for the report of the second call, so its body shows
  // what the second call threw.
  let resolveFirst;
  event.respondWith(new Promise((resolve) => (resolveFirst = resolve)));

  let report;
  try {
    event.respondWith(new Response('second', { headers: { 'x-edgecase-response': 'second' } }));
    report = { isDOMException: false, name: 'none', message: 'the second call did not throw' };
  } catch (error) {
    report = { isDOMException: error instanceof DOMException, name: error.name, message: error.message };
  }
  resolveFirst(Response.json(report, { headers: { 'x-edgecase-response': 'first' } }));
});
