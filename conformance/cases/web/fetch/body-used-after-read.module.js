async function errorName(action) {
  try {
    await action();
    return 'no error';
  } catch (error) {
    return error.name;
  }
}

async function handle(request) {
  const untouched = new Response('abc');
  const stream = untouched.body;
  const usedAfterGet = untouched.bodyUsed;

  const reading = new Response('abcdef');
  const reader = reading.body.getReader();
  const { value } = await reader.read();
  const usedAfterRead = reading.bodyUsed;
  reader.releaseLock();
  const textAfterRead = await errorName(() => reading.text());
  const fromDisturbed = await errorName(() => new Response(reading.body));
  return Response.json({
    usedAfterGet,
    isStream: stream instanceof ReadableStream,
    firstChunk: new TextDecoder().decode(value),
    usedAfterRead,
    textAfterRead,
    fromDisturbed,
  });
}

export default { fetch: handle };
