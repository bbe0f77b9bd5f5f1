const CHUNK_ELEMENTS = 1 << 20;
// Each chunk is an array of 2^20 numbers, at least 8 MiB of heap.
const MAX_CHUNKS = 32;

let count = 0;
const retained = [];

function respond(request) {
  if (new URL(request.url).pathname === '/grow') {
    for (let i = 0; i < MAX_CHUNKS; i++) {
      retained.push(new Array(CHUNK_ELEMENTS).fill(i + 0.5));
    }
    return new Response(`retained ${retained.length} chunks without hitting the limit`);
  }
  count += 1;
  return new Response(`count ${count}`);
}

export default {
  fetch(request) {
    return respond(request);
  },
};
