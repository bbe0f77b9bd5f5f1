async function failure(action) {
  try {
    await action();
    return 'no error';
  } catch (error) {
    return `${error.name}: ${error.message}`;
  }
}

async function handle(request) {
  let kept;
  await new HTMLRewriter()
    .on('a', {
      element(element) {
        kept = element;
      },
    })
    .transform(new Response('<a>x</a>'))
    .text();
  const names = async (action) => (await failure(action)).split(':')[0];
  return Response.json({
    badSelector: await names(() => new HTMLRewriter().on('a[', {})),
    notFunction: await names(() => new HTMLRewriter().on('a', { element: 'nope' })),
    notResponse: await names(() => new HTMLRewriter().transform('<a></a>')),
    expiredToken: await names(() => kept.getAttribute('href')),
    handlerThrows: await failure(() =>
      new HTMLRewriter()
        .on('a', {
          element() {
            throw new Error('handler failed');
          },
        })
        .transform(new Response('<a>x</a>'))
        .text(),
    ),
  });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
