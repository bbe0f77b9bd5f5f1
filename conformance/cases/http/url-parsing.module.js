function parseUrl(request) {
  const url = new URL(request.url);
  const params = url.searchParams;
  const sorted = new URLSearchParams(params);
  sorted.sort();
  const edited = new URLSearchParams(params);
  edited.delete('page');
  edited.append('lang', 'fr CA');
  return Response.json({
    pathname: url.pathname,
    search: url.search,
    q: params.get('q'),
    page: Number(params.get('page')),
    tags: params.getAll('tag'),
    hasMissing: params.has('missing'),
    sorted: sorted.toString(),
    edited: edited.toString(),
    parent: new URL('../up', url).pathname,
    sibling: new URL('other?x=1', url).href.slice(url.origin.length),
    originMatchesHost: url.origin === `${url.protocol}//${request.headers.get('host')}`,
  });
}

export default {
  fetch(request) {
    return parseUrl(request);
  },
};
