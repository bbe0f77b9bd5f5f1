const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function describeCrypto() {
  const random = crypto.getRandomValues(new Uint8Array(16));
  const first = crypto.randomUUID();
  const second = crypto.randomUUID();
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc'));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return {
    randomLength: random.length,
    // 16 random bytes are all zero with probability 2^-128.
    randomNotAllZero: random.some((b) => b !== 0),
    uuidsValid: UUID_V4.test(first) && UUID_V4.test(second),
    uuidsDistinct: first !== second,
    sha256OfAbc: hex,
  };
}

export default {
  async fetch(request) {
    return Response.json(await describeCrypto());
  },
};
