addEventListener('fetch', async (event) => {
  await Promise.resolve();
  try {
    event.respondWith(new Response('late response', { headers: { 'x-edgecase-response': 'late' } }));
  } catch {
    // The call is expected to throw because the listener already returned at the await.
  }
});
