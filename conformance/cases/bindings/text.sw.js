addEventListener('fetch', (event) => {
  event.respondWith(
    Response.json({
      greeting: GREETING,
      type: typeof GREETING,
      empty: EMPTY,
      unicode: UNICODE,
      missing: typeof NOT_BOUND,
    }),
  );
});
