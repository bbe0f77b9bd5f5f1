let cached = null;

async function respond(request) {
  if (new URL(request.url).pathname === '/store') {
    const text = await request.text();
    cached = { text, bytes: new TextEncoder().encode(text), parsed: JSON.parse(text) };
    return new Response('stored');
  }
  // A new Response built from cached data belongs to this request and may be read here.
  const rebuilt = await new Response(cached.bytes).text();
  return Response.json({
    text: cached.text,
    byteLength: cached.bytes.byteLength,
    user: cached.parsed.user,
    rebuilt,
  });
}

addEventListener('fetch', (event) => {
  event.respondWith(respond(event.request));
});
