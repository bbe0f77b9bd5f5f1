function describeQuery(request) {
  const url = new URL(request.url);
  return { search: url.search, params: [...url.searchParams] };
}

addEventListener('fetch', (event) => {
  event.respondWith(Response.json(describeQuery(event.request)));
});
