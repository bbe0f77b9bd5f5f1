function errorName(action) {
  try {
    action();
    return 'no error';
  } catch (error) {
    return error.name;
  }
}

async function handle(request) {
  const books = new URLPattern({ pathname: '/books/:id' });
  const match = books.exec('https://example.com/books/42?sort=asc');
  const api = new URLPattern('/api/:version/*', 'https://example.com');
  const apiMatch = api.exec('https://example.com/api/v2/users/7');
  const digits = new URLPattern({ pathname: '/items/(\\d+)' });
  return Response.json({
    test: [books.test('https://example.com/books/42'), books.test('https://example.com/authors/1')],
    inputs: match.inputs,
    pathname: match.pathname,
    search: match.search.input,
    components: { protocol: api.protocol, hostname: api.hostname, pathname: api.pathname },
    apiGroups: apiMatch.pathname.groups,
    regexp: [
      digits.hasRegExpGroups,
      digits.test({ pathname: '/items/12' }),
      digits.test({ pathname: '/items/ab' }),
    ],
    optional: new URLPattern({ pathname: '/a/:b?' }).exec({ pathname: '/a' }).pathname.groups,
    hostname: new URLPattern({ hostname: '*.example.com' }).test({ hostname: 'cdn.example.com' }),
    ignoreCase: new URLPattern({ pathname: '/Foo' }, { ignoreCase: true }).test({
      pathname: '/foo',
    }),
    notUrl: books.test('not a url'),
    invalid: errorName(() => new URLPattern({ pathname: '/(' })),
    relative: errorName(() => new URLPattern('/relative')),
  });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
