async function describe(request) {
  const url = new URL(request.url);
  const sent = {};
  for (const name of ['accept', 'content-type', 'x-edgecase-test']) {
    sent[name] = request.headers.get(name);
  }
  const document = {
    method: request.method,
    pathname: url.pathname,
    search: url.search,
    tags: url.searchParams.getAll('tag'),
    headers: sent,
    body: await request.json(),
  };
  return new Response(JSON.stringify(document, null, 2) + '\n', {
    headers: { 'content-type': 'application/json' },
  });
}

addEventListener('fetch', (event) => {
  event.respondWith(describe(event.request));
});
