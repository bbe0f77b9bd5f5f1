function errorName(action) {
  try {
    action();
    return 'no error';
  } catch (error) {
    return error.name;
  }
}

async function handle(request) {
  const headers = new Headers({ 'x-euro': 'a€b', 'x-latin': 'é' });
  return Response.json(
    {
      euro: headers.get('x-euro'),
      latin: headers.get('x-latin'),
      newline: errorName(() => headers.set('x-bad', 'a\nb')),
      nul: errorName(() => new Headers([['x-bad', 'a\0b']])),
      trimmed: new Headers({ 'x-space': '  padded \t' }).get('x-space'),
    },
    { headers: { 'x-sent': 'x€y' } },
  );
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
