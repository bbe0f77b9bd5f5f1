function hex(buffer) {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function fromHex(text) {
  return new Uint8Array(text.match(/../g).map((pair) => parseInt(pair, 16)));
}

function base64Url(bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function handle(request) {
  const subtle = crypto.subtle;
  const secret = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const publicBytes = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const privateKey = await subtle.importKey(
    'jwk',
    { kty: 'OKP', crv: 'Ed25519', d: base64Url(secret), x: base64Url(publicBytes) },
    { name: 'Ed25519' },
    false,
    ['sign'],
  );
  const publicKey = await subtle.importKey('raw', publicBytes, { name: 'Ed25519' }, true, [
    'verify',
  ]);
  const empty = new Uint8Array(0);
  const signature = await subtle.sign('Ed25519', privateKey, empty);
  const verified = await subtle.verify('Ed25519', publicKey, signature, empty);

  const results = {};
  for (const algorithm of [
    { name: 'Ed25519' },
    { name: 'NODE-ED25519', namedCurve: 'NODE-ED25519' },
  ]) {
    const pair = await subtle.generateKey(algorithm, true, ['sign', 'verify']);
    const message = new TextEncoder().encode('edge');
    const mac = await subtle.sign(algorithm, pair.privateKey, message);
    results[algorithm.name] = {
      algorithm: pair.publicKey.algorithm,
      verifies: await subtle.verify(algorithm, pair.publicKey, mac, message),
      rawLength: (await subtle.exportKey('raw', pair.publicKey)).byteLength,
    };
  }
  let shortSignature;
  try {
    await subtle.verify('Ed25519', publicKey, new Uint8Array(10), empty);
    shortSignature = 'no error';
  } catch (error) {
    shortSignature = error.name;
  }
  return Response.json({ signature: hex(signature), verified, results, shortSignature });
}

export default { fetch: handle };
