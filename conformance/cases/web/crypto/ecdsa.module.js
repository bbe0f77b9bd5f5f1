async function roundTrip(curve, hash) {
  const subtle = crypto.subtle;
  const algorithm = { name: 'ECDSA', namedCurve: curve };
  const pair = await subtle.generateKey(algorithm, false, ['sign', 'verify']);
  const message = new TextEncoder().encode(`signed with ${curve}`);
  const signature = await subtle.sign({ name: 'ECDSA', hash }, pair.privateKey, message);
  const raw = await subtle.exportKey('raw', pair.publicKey);
  const spki = await subtle.exportKey('spki', pair.publicKey);
  const jwk = await subtle.exportKey('jwk', pair.publicKey);
  const fromRaw = await subtle.importKey('raw', raw, algorithm, true, ['verify']);
  const fromSpki = await subtle.importKey('spki', spki, algorithm, true, ['verify']);
  const fromJwk = await subtle.importKey('jwk', jwk, algorithm, true, ['verify']);
  const params = { name: 'ECDSA', hash };
  const verifications = [];
  for (const key of [pair.publicKey, fromRaw, fromSpki, fromJwk]) {
    verifications.push(await subtle.verify(params, key, signature, message));
  }

  const exportable = await subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const pkcs8 = await subtle.exportKey('pkcs8', exportable.privateKey);
  const imported = await subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']);
  const pkcs8Signature = await subtle.sign(params, imported, message);
  return {
    signatureBytes: signature.byteLength,
    rawBytes: raw.byteLength,
    rawFirstByte: new Uint8Array(raw)[0],
    jwk: { kty: jwk.kty, crv: jwk.crv, hasD: 'd' in jwk },
    verifications,
    tampered: await subtle.verify(
      params,
      pair.publicKey,
      signature,
      new TextEncoder().encode('other'),
    ),
    pkcs8Verifies: await subtle.verify(params, exportable.publicKey, pkcs8Signature, message),
    publicKey: {
      type: pair.publicKey.type,
      extractable: pair.publicKey.extractable,
      usages: pair.publicKey.usages,
    },
    privateKey: {
      type: pair.privateKey.type,
      extractable: pair.privateKey.extractable,
      usages: pair.privateKey.usages,
      algorithm: pair.privateKey.algorithm,
    },
  };
}

async function handle(request) {
  return Response.json({
    p256: await roundTrip('P-256', 'SHA-256'),
    p384: await roundTrip('P-384', 'SHA-384'),
  });
}

export default { fetch: handle };
