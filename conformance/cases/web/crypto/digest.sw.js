function hex(buffer) {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function fromHex(text) {
  return new Uint8Array(text.match(/../g).map((pair) => parseInt(pair, 16)));
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
  const data = new TextEncoder().encode('abc');
  const digests = {};
  for (const name of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512', 'MD5']) {
    digests[name] = hex(await crypto.subtle.digest(name, data));
  }
  const result = await crypto.subtle.digest({ name: 'sha-256' }, data);
  return Response.json({
    digests,
    isArrayBuffer: result instanceof ArrayBuffer,
    unknown: await errorName(crypto.subtle.digest('SHA-999', data)),
    notBytes: await errorName(crypto.subtle.digest('SHA-256', 'abc')),
  });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
