addEventListener('fetch', (event) => {
  // Looks at the request but never responds.
  event.request.headers.get('x-edgecase-ignored');
});
