async function decodeAll(decoder, chunks) {
  const writer = decoder.writable.getWriter();
  for (const chunk of chunks) {
    writer.write(new Uint8Array(chunk)).catch(() => {});
  }
  writer.close().catch(() => {});
  let text = '';
  for await (const piece of decoder.readable) {
    text += piece;
  }
  return text;
}

async function handle(request) {
  const utf8 = await decodeAll(new TextDecoderStream(), [[0xe2], [0x82, 0xac, 0x21]]);
  const legacy = new TextDecoderStream('windows-1252');
  const legacyText = await decodeAll(legacy, [[0x80, 0xe9]]);
  const fatal = new TextDecoderStream('utf-8', { fatal: true });
  let fatalError;
  try {
    await decodeAll(fatal, [[0xff]]);
    fatalError = 'no error';
  } catch (error) {
    fatalError = error.name;
  }
  return Response.json({
    utf8,
    legacyEncoding: legacy.encoding,
    legacyText,
    fatalFlag: fatal.fatal,
    ignoreBOM: fatal.ignoreBOM,
    fatalError,
  });
}

export default { fetch: handle };
