export default {
  async fetch(request) {
    const received = new Uint8Array(await request.arrayBuffer());
    const text = new TextDecoder().decode(received);
    const encoded = new TextEncoder().encode(text);
    const sameBytes =
      encoded.length === received.length && encoded.every((byte, i) => byte === received[i]);
    return Response.json({
      text,
      characters: text.length,
      codePoints: [...text].length,
      byteLength: encoded.length,
      sameBytes,
    });
  },
};
