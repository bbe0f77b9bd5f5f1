async function errorName(action) {
  try {
    await action();
    return 'no error';
  } catch (error) {
    return error instanceof DOMException ? `DOMException ${error.name}` : error.name;
  }
}

async function handle(request) {
  const subtle = crypto.subtle;
  const bytes = new TextEncoder().encode('key');
  const hmac = { name: 'HMAC', hash: 'SHA-256' };
  const key = await subtle.importKey('raw', bytes, hmac, false, ['sign']);
  return Response.json({
    unknownAlgorithm: await errorName(() => subtle.sign('FOO', key, bytes)),
    invalidUsage: await errorName(() => subtle.importKey('raw', bytes, hmac, true, ['encrypt'])),
    emptyUsages: await errorName(() => subtle.generateKey(hmac, true, [])),
    emptyKey: await errorName(() =>
      subtle.importKey('raw', new Uint8Array(0), hmac, true, ['sign']),
    ),
    badJwk: await errorName(() => subtle.importKey('jwk', { kty: 'RSA' }, hmac, true, ['sign'])),
    badPoint: await errorName(() =>
      subtle.importKey('raw', new Uint8Array(65), { name: 'ECDSA', namedCurve: 'P-256' }, true, [
        'verify',
      ]),
    ),
    wrongAlgorithm: await errorName(() =>
      subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, bytes),
    ),
    wrongUsage: await errorName(() => subtle.verify('HMAC', key, bytes, bytes)),
    notExtractable: await errorName(() => subtle.exportKey('raw', key)),
    missingHash: await errorName(() =>
      subtle.importKey('raw', bytes, { name: 'HMAC' }, true, ['sign']),
    ),
    constructSubtle: await errorName(() => new SubtleCrypto()),
    constructKey: await errorName(() => new CryptoKey()),
  });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
