function hex(buffer) {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function fromHex(text) {
  return new Uint8Array(text.match(/../g).map((pair) => parseInt(pair, 16)));
}

async function handle(request) {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode('Jefe'),
    { name: 'HMAC', hash: 'SHA-256' },
    true,
    ['verify', 'sign'],
  );
  const message = encoder.encode('what do ya want for nothing?');
  const tag = await crypto.subtle.sign('HMAC', key, message);
  const verified = await crypto.subtle.verify('HMAC', key, tag, message);
  const tampered = await crypto.subtle.verify(
    'HMAC',
    key,
    tag,
    encoder.encode('what do ya want for something?'),
  );
  const jwk = await crypto.subtle.exportKey('jwk', key);
  const generated = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-512' }, false, [
    'sign',
  ]);
  return Response.json({
    tag: hex(tag),
    verified,
    tampered,
    key: {
      type: key.type,
      extractable: key.extractable,
      algorithm: key.algorithm,
      usages: key.usages,
    },
    isCryptoKey: key instanceof CryptoKey,
    jwk: { kty: jwk.kty, alg: jwk.alg, k: jwk.k, ext: jwk.ext, keyOps: jwk.key_ops },
    generated: { algorithm: generated.algorithm, extractable: generated.extractable },
  });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
