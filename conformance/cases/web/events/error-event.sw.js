async function handle(request) {
  const full = new ErrorEvent('error', {
    message: 'bad',
    filename: 'worker.js',
    lineno: 3,
    colno: 9,
    error: { code: 7 },
    cancelable: true,
  });
  const empty = new ErrorEvent('custom');
  return Response.json({
    full: [
      full.message,
      full.filename,
      full.lineno,
      full.colno,
      full.error,
      full.cancelable,
      full.isTrusted,
    ],
    empty: [empty.type, empty.message, empty.filename, empty.lineno, empty.colno, empty.error],
    isEvent: full instanceof Event,
    tag: Object.prototype.toString.call(full),
  });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
