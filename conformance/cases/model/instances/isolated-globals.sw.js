addEventListener('fetch', (event) => {
  const seen = globalThis.edgecaseMarker ?? 'none';
  globalThis.edgecaseMarker = new URL(event.request.url).pathname;
  event.respondWith(new Response(`marker seen: ${seen}`));
});
