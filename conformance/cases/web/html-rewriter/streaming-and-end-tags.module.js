async function handle(request) {
  const encoder = new TextEncoder();
  const parts = ['<ul><li>o', 'ne</li><l', 'i>two</li><li>three</li></ul>'];
  const body = new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (parts.length === 0) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(parts.shift()));
    },
  });
  let count = 0;
  const rewriter = new HTMLRewriter().on('li', {
    element(element) {
      count += 1;
      element.setAttribute('data-n', String(count));
      element.onEndTag((end) => {
        end.before(`[/${end.name}]`, { html: true });
      });
    },
  });
  return rewriter.transform(new Response(body, { headers: { 'content-type': 'text/html' } }));
}

export default { fetch: handle };
