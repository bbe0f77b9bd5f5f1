export default {
  fetch(request) {
    const seen = globalThis.edgecaseMarker ?? 'none';
    globalThis.edgecaseMarker = new URL(request.url).pathname;
    return new Response(`marker seen: ${seen}`);
  },
};
