async function echoJson(request) {
  const received = await request.json();
  const summary = {
    received,
    countPlusOne: typeof received.count === 'number' ? received.count + 1 : null,
    tagCount: Array.isArray(received.tags) ? received.tags.length : null,
  };
  if (new URL(request.url).pathname === '/created') {
    return Response.json(summary, { status: 201, headers: { 'x-edgecase-kind': 'array' } });
  }
  return Response.json(summary);
}

addEventListener('fetch', (event) => {
  event.respondWith(echoJson(event.request));
});
