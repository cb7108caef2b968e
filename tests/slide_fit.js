// How one slide (an <article>) sits in its box, in design pixels whatever the stage's scale:
// where its content ends against the box and the footer line, what scrolls inside it, and
// whether its box is inside the window.  tests/test_browser.py and tests/test_presenting.py
// evaluate it; a slide fits when nothing is `below` or `beside` (> 0) and nothing is `clipped`.
(article) => {
  const furniture = '.slide-no, .slide-footer, a.headerlink, div.admonition.note';
  const box = article.getBoundingClientRect();
  const scale = box.width / article.offsetWidth;
  const style = getComputedStyle(article);
  const padBottom = parseFloat(style.paddingBottom), padRight = parseFloat(style.paddingRight);
  let limit = box.bottom - padBottom * scale;
  for (const el of article.querySelectorAll('.slide-no, .slide-footer')) {
    const r = el.getBoundingClientRect();
    if (r.height) limit = Math.min(limit, r.top);
  }
  let bottom = box.top, right = box.left;
  const clipped = [];
  for (const el of article.querySelectorAll('*')) {
    if (el.closest(furniture)) continue;
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    bottom = Math.max(bottom, r.bottom);
    right = Math.max(right, r.right);
    const tag = el.tagName.toLowerCase();
    if (el.clientWidth && el.scrollWidth > el.clientWidth + 1)
      clipped.push(`<${tag}> ${el.scrollWidth - el.clientWidth}px too wide`);
    if (el.clientHeight && el.scrollHeight > el.clientHeight + 1)
      clipped.push(`<${tag}> ${el.scrollHeight - el.clientHeight}px too tall`);
  }
  const h1 = article.querySelector('h1');
  const t = h1 ? h1.getBoundingClientRect() : null;
  return {
    id: article.id, scale,
    title: h1 ? h1.innerText.replace(/[\u00a7\u00b6]/g, '').trim() : '',
    titleShown: !!t && t.width > 0 && t.height > 0 && t.top >= 0 && t.bottom <= innerHeight
                && getComputedStyle(h1).visibility === 'visible',
    notesHidden: [...article.querySelectorAll('div.admonition.note')]
                 .every(n => !n.getClientRects().length),
    wide: box.width / innerWidth, high: box.height / innerHeight,
    cover: Math.max(box.width / innerWidth, box.height / innerHeight),
    inWindow: box.left >= -0.5 && box.top >= -0.5 && box.right <= innerWidth + 0.5
              && box.bottom <= innerHeight + 0.5,
    needs: (bottom - box.top) / scale + padBottom,
    below: (bottom - limit) / scale,
    beside: (right - (box.right - padRight * scale)) / scale,
    clipped,
  };
}
