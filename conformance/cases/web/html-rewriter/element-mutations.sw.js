const PAGE =
  '<!DOCTYPE html><html><head><title>Old</title></head><body><!-- note --><a href="/x" class="c">link</a><p id="p1">hello <b>world</b></p><img src="i.png"><div class="gone">bye</div></body></html>';

async function handle(request) {
  const seen = [];
  const rewriter = new HTMLRewriter()
    .on('a', {
      element(element) {
        seen.push([
          'a',
          element.tagName,
          element.getAttribute('href'),
          element.hasAttribute('class'),
          element.getAttribute('missing'),
          [...element.attributes],
        ]);
        element.setAttribute('href', '/y');
        element.removeAttribute('class');
        element.before('<i>b</i>', { html: true });
        element.after('<escaped>');
      },
    })
    .on('p', {
      element(element) {
        element.prepend('P: ');
        element.append('<em>!</em>', { html: true });
      },
    })
    .on('b', {
      text(text) {
        if (text.text !== '') {
          seen.push(['text', text.text]);
          text.replace('WORLD');
        }
      },
    })
    .on('img', {
      element(element) {
        element.replace('<span>image</span>', { html: true });
      },
    })
    .on('div.gone', {
      element(element) {
        element.remove();
      },
    })
    .on('title', {
      element(element) {
        element.setInnerContent('New & <Title>');
      },
    })
    .on('body', {
      comments(comment) {
        seen.push(['comment', comment.text]);
        comment.text = ' changed ';
      },
    })
    .onDocument({
      doctype(doctype) {
        seen.push(['doctype', doctype.name]);
      },
      end(end) {
        end.append('<!-- end -->', { html: true });
      },
    });
  const original = new Response(PAGE, {
    headers: { 'content-type': 'text/html', 'x-kept': 'yes' },
  });
  const rewritten = rewriter.transform(original);
  return Response.json({
    html: await rewritten.text(),
    seen,
    contentType: rewritten.headers.get('content-type'),
    kept: rewritten.headers.get('x-kept'),
  });
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
