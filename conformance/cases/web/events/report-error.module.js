async function handle(request) {
  const seen = [];
  const listener = (event) => {
    seen.push({
      isErrorEvent: event instanceof ErrorEvent,
      type: event.type,
      message: event.message,
      sameError: event.error === reported,
      hasLine: event.lineno > 0,
      cancelable: event.cancelable,
      trusted: event.isTrusted,
    });
  };
  const reported = new RangeError('out of range');
  addEventListener('error', listener);
  const returned = reportError(reported);
  removeEventListener('error', listener);
  return Response.json({ seen, returned: returned === undefined ? 'undefined' : returned });
}

export default { fetch: handle };
