async function pipeBytes(bytes, transform) {
  const output = new Blob([bytes]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(output).arrayBuffer());
}

async function errorName(promise) {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error.name;
  }
}

async function handle(request) {
  const text = 'edge case '.repeat(50);
  const input = new TextEncoder().encode(text);
  const formats = {};
  for (const format of ['gzip', 'deflate', 'deflate-raw']) {
    const compressed = await pipeBytes(input, new CompressionStream(format));
    const restored = await pipeBytes(compressed, new DecompressionStream(format));
    formats[format] = {
      smaller: compressed.length < input.length,
      roundTrip: new TextDecoder().decode(restored) === text,
      // Raw DEFLATE has no header, so its first byte depends on the compressor.
      firstByte: format === 'deflate-raw' ? null : compressed[0],
    };
  }
  const gzip = await pipeBytes(input, new CompressionStream('gzip'));
  let unknownFormat;
  try {
    new DecompressionStream('zip');
    unknownFormat = 'no error';
  } catch (error) {
    unknownFormat = error.name;
  }
  return Response.json({
    formats,
    unknownFormat,
    truncated: await errorName(
      pipeBytes(gzip.subarray(0, gzip.length - 5), new DecompressionStream('gzip')),
    ),
    trailing: await errorName(
      pipeBytes(new Uint8Array([...gzip, 0, 1, 2]), new DecompressionStream('gzip')),
    ),
  });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
