"""The published site as its readers meet it: on a static host under a sub-path, on a phone, in
the dark, shared as a link; and the Read the Docs configuration that builds it.

Two builds, both by `make site` (so what is checked is what gets published):

* ``site``: the build jobs of ``.readthedocs.yaml`` (``make install npm-chromium``, ``make site``) as
  Read the Docs runs them, with READTHEDOCS_OUTPUT in a temporary folder and no Chromium on PATH
  (tests/builds.py).  No base URL: every link is relative.  Served
  under ``/site/talk/`` and crawled there, at 390 px, dark, and with the copy buttons clicked.
* ``based``: ``DECK_BASE_URL=<this host>/talk/ make site``, served under ``/talk/``: absolute
  og:image and og:url, and the 404 page's links rooted at ``/talk/``.

The host (tests/browser.py) behaves as GitHub/GitLab Pages and Netlify do: a folder's ``index.html`` for the folder,
the site's ``404.html`` with status 404 for any missing address.  It records every request, so
nothing a page asks for (the favicon included) goes unchecked.  The browser reaches no other host.
"""
import html.parser
import os
import re
import struct
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from _support import ROOT, build_env, shell
from browser import Visit, axe_violations
from builds import needs_make_site

pytestmark = [pytest.mark.browser, pytest.mark.publishing,
              pytest.mark.timeout(900)]   # two full builds of the site; every wait is bounded

PHONE = {'viewport': {'width': 390, 'height': 844}, 'is_mobile': True, 'has_touch': True}
DESKTOP = {'viewport': {'width': 1280, 'height': 900}}
SITE_PATH = '/site/talk/'                    # where the relative build is served and crawled
BASED_PATH = '/talk/'                        # where the build with a base URL is served
PREVIEW = '_static/preview.png'
PREVIEW_SIZE = (1200, 630)
DECK = 'slides/'                             # the deck: hieroglyph's theme, at projector size
PROJECT = 'I/O concurrency: asyncio'


# -- The builds (``site``: tests/builds.py's, shared with test_browser) ---------------------------

@pytest.fixture(scope='module')
def based(tmp_path_factory, host):
    """`make site` with DECK_BASE_URL: the host's /talk/."""
    needs_make_site()
    tmp = tmp_path_factory.mktemp('based')
    shell(f'make --no-print-directory site SITE="{tmp / "site"}"',
          build_env(BUILD=str(tmp / 'build'), DECK_BASE_URL=host.url + BASED_PATH))
    return tmp / 'site'


@pytest.fixture(scope='module')
def served(host, site, based):
    """Base URLs of the two builds on the host."""
    host.mounts[SITE_PATH] = site
    host.mounts[BASED_PATH] = based
    return {'site': host.url + SITE_PATH, 'based': host.url + BASED_PATH}


def png_size(path):
    data = Path(path).read_bytes()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', path
    return struct.unpack('>II', data[16:24])


# -- What the files say --------------------------------------------------------------------------

class Refs(html.parser.HTMLParser):
    """The URLs a page refers to: (tag, attribute, value), and its meta properties."""

    def __init__(self):
        super().__init__()
        self.refs, self.meta = [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ('href', 'src', 'action', 'poster', 'data'):
            if attrs.get(name) is not None:
                self.refs.append((tag, name, attrs[name]))
        if tag == 'meta' and (attrs.get('property') or attrs.get('name')):
            self.meta[attrs.get('property') or attrs.get('name')] = attrs.get('content', '')


def refs(page):
    parser = Refs()
    parser.feed(page.read_text())
    return parser


def html_files(folder):
    return sorted(p for p in folder.rglob('*.html') if not p.name.startswith('.'))


def test_readthedocs_config_builds_the_site(readthedocs_config, site, record_property):
    """.readthedocs.yaml is a v2 config whose build jobs, run as Read the Docs runs them (in its
    order, no Chromium on PATH), write the whole site, the preview image too, into
    $READTHEDOCS_OUTPUT/html."""
    build = readthedocs_config['build']
    assert readthedocs_config['version'] == 2
    assert not {'sphinx', 'mkdocs'} & set(readthedocs_config)      # else Read the Docs builds too
    assert 'commands' not in build                                 # it ignores apt_packages with them
    assert re.fullmatch(r'ubuntu-\d\d\.04|ubuntu-lts-latest', build['os'])
    python = build['tools']['python']
    requirements = (ROOT / 'requirements.txt').read_text()
    assert re.search(r'^Sphinx==\S+ ; python_version (>=|==) "' + re.escape(python) + '"',
                     requirements, re.M), f'requirements.txt pins no Sphinx for Python {python}'
    assert int(build['tools']['nodejs']) >= 22                    # @sparticuz/chromium's engines
    assert any('make site' in c and '$READTHEDOCS_OUTPUT/html' in c for c in build['jobs']['build']['html'])
    for name in ('index.html', 'slides/index.html', 'snippets/index.html', '404.html', '.nojekyll',
                 'search.html', 'searchindex.js', PREVIEW):
        assert (site / name).is_file(), name
    assert png_size(site / PREVIEW) == PREVIEW_SIZE
    files = [p for p in site.rglob('*') if p.is_file()]
    record_property('site_report', f'Read the Docs build: {len(files)} files, '
                    f'{sum(p.stat().st_size for p in files) / 1e6:.1f} MB')


def dpkg_package(path):
    """The Debian package that installed ``path`` (as the linker found it, or its real path)."""
    for name in (path, os.path.realpath(path)):
        found = subprocess.run(['dpkg', '-S', name], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(':')[0]
    raise AssertionError(f'no package installed {path}')


# What every Ubuntu image of Read the Docs has (its Python and git need them), apt_packages or not.
BASE_PACKAGES = {'libc6', 'libgcc-s1', 'libexpat1'}


def test_readthedocs_chromium_needs_only_the_apt_packages(readthedocs_config, site):
    """The libraries that Read the Docs' Chromium (`make npm-chromium`) links come from packages
    its apt_packages name (or their dependencies) or that every image has, and `make deps`
    installs those here.  Checked with Debian's names, which are Ubuntu's for these packages."""
    apt = readthedocs_config['build']['apt_packages']
    deb_packages = re.search(r'^DEB_PACKAGES := (.*?[^\\])$', (ROOT / 'Makefile').read_text(), re.M | re.S)
    assert set(apt) <= set(deb_packages.group(1).replace('\\', ' ').split()), 'make deps installs them here'
    depends = subprocess.run(['dpkg-query', '-W', '-f', '${Depends}\n', *apt],
                             capture_output=True, text=True, check=True).stdout
    allowed = BASE_PACKAGES | set(apt) | set(re.findall(r'(?:^|, )([a-z0-9][a-z0-9.+-]*)', depends, re.M))
    chromium = site.parent.parent / 'build' / 'npm-chromium' / 'chromium'
    ldd = subprocess.run(['ldd', str(chromium)], capture_output=True, text=True, check=True).stdout
    assert 'not found' not in ldd, ldd
    libraries = re.findall(r'=> (/\S+)', ldd)
    assert libraries and {lib: dpkg_package(lib) for lib in libraries
                          if dpkg_package(lib) not in allowed} == {}


def test_links_are_relative_and_tags_point_at_the_preview(site, record_property):
    """Every page refers to the site's files by relative URLs (only links to other sites are
    absolute), and carries og: tags whose image, relative to the page, is the preview."""
    bad, external, checked = [], set(), 0
    for page in html_files(site):
        rel = page.relative_to(site).as_posix()
        parsed = refs(page)
        if rel != '404.html':                 # the one page served at any depth: rooted links
            for tag, attr, value in parsed.refs:
                checked += 1
                scheme = urlsplit(value).scheme
                if scheme in ('http', 'https') and tag == 'a':
                    external.add(value)       # a link to another site, never requested
                elif value.startswith('/') or scheme or value.startswith('//'):
                    if not value.startswith(('data:', 'mailto:')):
                        bad.append(f'{rel}: <{tag} {attr}="{value}">')
        if rel in ('slides/console.html', '404.html', 'genindex.html', 'search.html'):
            continue
        meta = parsed.meta
        for name in ('og:title', 'og:description', 'og:image', 'og:type', 'description'):
            assert meta.get(name), f'{rel}: no {name}'
        image = (page.parent / meta['og:image']).resolve()
        assert image == (site / PREVIEW).resolve(), f'{rel}: og:image {meta["og:image"]}'
        assert 'og:url' not in meta, f'{rel}: og:url without a base URL'
    assert not bad, 'absolute links to the site itself:\n' + '\n'.join(bad)
    record_property('site_report', f'{checked} URLs in {len(html_files(site))} pages, all relative; '
                    f'links to other sites: {sorted(external)}')


# -- In the browser ------------------------------------------------------------------------------

REFS = """() => {
  const out = [];
  const add = (el, attr) => { const v = el.getAttribute(attr); if (v !== null) out.push(
      {tag: el.tagName.toLowerCase(), rel: el.getAttribute('rel') || '', raw: v,
       url: new URL(v, document.baseURI).href}); };
  document.querySelectorAll('a[href], link[href]').forEach(el => add(el, 'href'));
  document.querySelectorAll('script[src], img[src], source[src], iframe[src]').forEach(el => add(el, 'src'));
  document.querySelectorAll('form[action]').forEach(el => add(el, 'action'));
  return out;
}"""


def is_page(url):
    path = urlsplit(url).path
    return path.endswith(('.html', '/'))


@pytest.fixture(scope='module')
def crawl(browser, served, host):
    """Every page, image, script and stylesheet reachable from the home page, served under
    /site/talk/; each page opened in Chromium, each other file fetched."""
    root = served['site']
    visit = Visit(browser, root, **DESKTOP)
    pages, files, external, anchors, ids = {}, {}, set(), [], {}
    queue, seen = [root], {root}
    start = len(host.requests)
    try:
        while queue:
            url = queue.pop(0)
            if is_page(url):
                response = visit.open(url)
                page = visit.page
                pages[url] = response.status
                ids[url] = set(page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)"))
                found = page.evaluate(REFS)
            else:
                response = visit.context.request.get(url)
                files[url] = response.status
                found = []
            for ref in found:
                target, _, fragment = ref['url'].partition('#')
                if not target.startswith(('http:', 'https:')):
                    continue                  # data:, mailto:
                if not target.startswith(host.url):
                    external.add(ref['url'])
                    continue
                if fragment and ref['tag'] == 'a':
                    anchors.append((url, target, fragment))
                if target not in seen and target.startswith(root):
                    seen.add(target)
                    queue.append(target)
                elif not target.startswith(root):
                    visit.outside.append(f'{url} links {ref["url"]}')
        # the search page, searching: its index and the pages it summarises load from the sub-path
        visit.open(root + 'search.html?q=selectors')
        page = visit.page
        page.wait_for_selector('#search-results ul.search li')
        results = page.locator('#search-results ul.search li').count()
    finally:
        visit.close()
    dead_anchors = [f'{source} -> {target}#{fragment}' for source, target, fragment in anchors
                    if target in ids and fragment not in ids[target]]
    return {'pages': pages, 'files': files, 'external': external, 'anchors': anchors,
            'dead_anchors': dead_anchors, 'outside': visit.outside, 'failed': visit.failed,
            'errors': visit.errors, 'requests': host.requests[start:], 'search_results': results,
            'root': root}


def test_crawl_under_a_sub_path_finds_no_dead_link(crawl, record_property):
    """From the home page under /site/talk/: every page and file answers 200, every #anchor
    exists, no request leaves the sub-path (the host's log included), no script error."""
    root_path = urlsplit(crawl['root']).path
    requests = crawl['requests']
    dead = [f'{url}: {status}' for url, status in {**crawl['pages'], **crawl['files']}.items()
            if status != 200]
    dead += [f'{path}: {status}' for path, status in requests if status >= 400]
    outside = crawl['outside'] + [path for path, _ in requests if not path.startswith(root_path)]
    assert not dead, 'dead links:\n' + '\n'.join(sorted(set(dead)))
    assert not crawl['failed'], '\n'.join(crawl['failed'])
    assert not outside, 'requests outside the sub-path:\n' + '\n'.join(outside)
    assert not crawl['dead_anchors'], 'links to missing anchors:\n' + '\n'.join(crawl['dead_anchors'])
    assert not crawl['errors'], '\n'.join(crawl['errors'])
    assert crawl['search_results'] > 0
    pages = crawl['pages']
    assert crawl['root'] + 'slides/index.html' in pages
    assert crawl['root'] + 'snippets/index.html' in pages
    assert sum('/snippets/' in url for url in crawl['files']) >= 40     # the plain files
    record_property('site_report', f'crawl under {root_path}: {len(pages)} pages, {len(crawl["files"])} '
                    f'other files, {len(requests)} requests, {len(crawl["anchors"])} #anchors checked, '
                    f'0 dead; links to other sites (not followed): {len(crawl["external"])}; '
                    f'search for "selectors": {crawl["search_results"]} results')


# Furo's html has overflow-x: hidden and its content column overflow-x: auto, so what is too wide
# makes the column scroll sideways, or is cut off.  So: nothing but a code block (or a table's
# wrapper) scrolls sideways, and every element ends inside the window unless it is in one of those
# and that block does; fixed drawers (the sidebars, off-screen on a phone) aside.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const block = el => el.closest('div.highlight, .table-wrapper');
  const fixed = el => { for (let p = el; p; p = p.parentElement)
                          if (getComputedStyle(p).position === 'fixed') return true; return false; };
  const name = el => `<${el.tagName.toLowerCase()}${el.className ? ' class="' + el.className + '"' : ''}>`;
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const s = getComputedStyle(el);
    if (['auto', 'scroll'].includes(s.overflowX) && el.scrollWidth > el.clientWidth + 1 && !block(el))
      bad.push(`${name(el)} scrolls sideways (${el.scrollWidth}px in ${el.clientWidth}px)`);
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || r.right <= width + 1 || s.visibility === 'hidden') continue;
    const b = block(el);
    if (b && b.getBoundingClientRect().right <= width + 1) continue;   // scrolls inside its block
    if (!fixed(el)) bad.push(`${name(el)} ends at ${Math.round(r.right)}px`);
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, count: bad.length,
          beyond: bad.slice(0, 5)};
}"""


def site_pages(crawl):
    """The crawled pages of the HTML site (the deck is hieroglyph's, at projector size)."""
    return [url for url in crawl['pages'] if DECK not in url[len(crawl['root']):]]


LUMINANCE = """sel => {
  const el = document.querySelector(sel);
  if (!el) return null;
  const lum = c => { const [r, g, b] = c.match(/[\\d.]+/g).map(Number);
                     return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; };
  const s = getComputedStyle(el);
  return {background: lum(s.backgroundColor), text: lum(s.color)};
}"""


@pytest.fixture(scope='module')
def on_a_phone(browser, crawl, tmp_path_factory):
    """Every page of the site at 390 px (a phone: touch, 3x pixels), measured for sideways
    scrolling, then seen with the system in dark mode and in light mode."""
    shots = tmp_path_factory.mktemp('phone')
    visit = Visit(browser, crawl['root'], **PHONE)
    seen = {}
    try:
        for url in site_pages(crawl):
            visit.open(url)
            page = visit.page
            m = page.evaluate(OVERFLOW)
            if m['scrollWidth'] > m['width'] or m['count']:
                page.screenshot(path=shots / f'phone-{len(seen)}.png', full_page=True)
            m['copy_buttons'] = page.evaluate("""() => [...document.querySelectorAll('button.copybtn')]
                .map(b => Number(getComputedStyle(b).opacity))""")
            for scheme in ('dark', 'light'):
                page.emulate_media(color_scheme=scheme)
                m[scheme] = {'body': page.evaluate(LUMINANCE, 'body'),
                             'code': page.evaluate(LUMINANCE, 'div.highlight')}
            seen[url] = m
        visit.open(crawl['root'] + 'slides/index.html')
        deck = visit.page
        deck_width = deck.evaluate('document.documentElement.scrollWidth')
    finally:
        visit.close()
    assert not visit.outside and not visit.failed and not visit.errors
    return {'pages': seen, 'deck_width': deck_width, 'shots': shots}


def test_every_page_fits_a_390px_phone(on_a_phone, record_property):
    """At 390 px nothing on any page of the site is wider than the window (so nothing needs a
    sideways scroll, or is cut off): wide code scrolls inside its block."""
    pages = on_a_phone['pages']
    bad = [f'{url}: page {m["scrollWidth"]}px in {m["width"]}px; {m["count"]} elements past the '
           'window: ' + '; '.join(m['beyond']) for url, m in pages.items()
           if m['scrollWidth'] > m['width'] or m['count']]
    widest = max(m['scrollWidth'] for m in pages.values())
    record_property('site_report', f'390px: {len(pages)} site pages, widest {widest}px; the deck '
                    f'(projector slides, hieroglyph\'s theme) {on_a_phone["deck_width"]}px wide')
    assert len(pages) >= 40
    assert not bad, f'pages wider than a phone (screenshots in {on_a_phone["shots"]}):\n' + '\n'.join(bad)


def test_copy_buttons_show_on_a_touch_screen(on_a_phone):
    """Nothing hovers on a phone: every copy button is shown without it."""
    hidden = {url: m['copy_buttons'] for url, m in on_a_phone['pages'].items()
              if any(opacity < 1 for opacity in m['copy_buttons'])}
    assert sum(len(m['copy_buttons']) for m in on_a_phone['pages'].values()) >= 100
    assert not hidden, hidden


@pytest.mark.parametrize('scheme', ['dark', 'light'])
def test_colour_scheme_follows_the_system(on_a_phone, scheme):
    """Every page of the site is dark when the system asks for dark and light when it asks for
    light: its background, its text and its code blocks."""
    wrong = []
    for url, m in on_a_phone['pages'].items():
        body, code = m[scheme]['body'], m[scheme]['code']
        if scheme == 'dark':
            ok = body['background'] < 0.25 and body['text'] > 0.6 and (not code or code['background'] < 0.3)
        else:
            ok = body['background'] > 0.85 and body['text'] < 0.4 and (not code or code['background'] > 0.7)
        if not ok:
            wrong.append(f'{url}: body {body}, code {code}')
    assert not wrong, '\n'.join(wrong)


def expected_copy(pre_text):
    """What the copy button must give: the code, with no line numbers (left out of pre_text by
    the caller) and, in an interactive session, the typed lines without their prompts."""
    lines = pre_text.rstrip('\n').split('\n')
    if not any(line.startswith('>>> ') for line in lines):
        return '\n'.join(lines)
    return '\n'.join(line[4:] for line in lines if line.startswith(('>>> ', '... ')))


# Each code block's id, its text without line numbers, and whether one copy button targets it.
BLOCKS = """() => [...document.querySelectorAll('div.highlight pre')].map(pre => {
  const c = pre.cloneNode(true);
  c.querySelectorAll('.linenos').forEach(n => n.remove());
  return {id: pre.id, text: c.textContent,
          buttons: document.querySelectorAll(`button.copybtn[data-clipboard-target="#${pre.id}"]`).length};
})"""


def copy(page, selector):
    """Click the button ``selector`` and read the clipboard (ClipboardJS copies in the click)."""
    page.evaluate('navigator.clipboard.writeText("")')
    page.click(selector, force=True)          # a real click; no wait for the hover fade-in
    return page.evaluate('navigator.clipboard.readText()')


def test_every_code_block_has_a_copy_button_that_copies_the_code(browser, crawl, site, record_property):
    """Each code block of the site has a copy button; clicking it puts the code on the clipboard
    without prompts or line numbers.  On the snippet pages that is the plain file itself (for a
    session: its typed lines).  Line numbers added to a block are left out too."""
    visit = Visit(browser, crawl['root'], permissions=['clipboard-read', 'clipboard-write'], **DESKTOP)
    blocks = buttons = 0
    wrong = []
    try:
        for url in site_pages(crawl):
            visit.open(url)
            page = visit.page
            if not page.locator('div.highlight pre').count():
                continue
            page.wait_for_selector('button.copybtn', state='attached')
            rel = url[len(crawl['root']):]
            plain = (site / rel.removesuffix('.html')) if rel.startswith('snippets/') else None
            for block in page.evaluate(BLOCKS):
                blocks += 1
                buttons += block['buttons']
                if block['buttons'] != 1:
                    wrong.append(f'{url} #{block["id"]}: {block["buttons"]} copy buttons')
                    continue
                got = copy(page, f'button.copybtn[data-clipboard-target="#{block["id"]}"]').rstrip('\n')
                if got != expected_copy(block['text']):
                    wrong.append(f'{url} #{block["id"]}:\n--- copied\n{got}\n--- expected\n'
                                 f'{expected_copy(block["text"])}')
                if plain and plain.is_file():          # a module whole; a session's typed lines
                    text = plain.read_text().rstrip('\n')
                    if got != (expected_copy(text) if plain.suffix == '.pycon' else text):
                        wrong.append(f'{url}: the copy is not the plain file {plain.name}')

        # line numbers: give a block of the first section page numbered lines, copy it again
        visit.open(crawl['root'] + 'blocking.html')
        page = visit.page
        first = 'button.copybtn[data-clipboard-target="#codecell0"]'
        before = copy(page, first)
        page.evaluate("""() => { const pre = document.querySelector('#codecell0');
            const lines = pre.textContent.replace(/\\n$/, '').split('\\n');
            pre.replaceChildren(...lines.flatMap((line, i) => { const n = document.createElement('span');
              n.className = 'linenos'; n.textContent = String(i + 1).padStart(3) + ' ';
              return [n, document.createTextNode(line + '\\n')]; })); }""")
        assert page.locator('#codecell0 .linenos').count() > 3
        assert before and copy(page, first) == before
    finally:
        visit.close()
    record_property('site_report', f'copy buttons: {buttons} on {blocks} code blocks, each clicked')
    assert blocks >= 100 and buttons == blocks
    assert not wrong, '\n\n'.join(wrong[:5]) + f'\n({len(wrong)} wrong)'
    assert not visit.errors


def test_preview_tags_and_image_with_a_base_url(browser, served, based, host, record_property):
    """Built with DECK_BASE_URL: og:title, og:description, og:url and an absolute og:image on
    the home page (and the deck), and the image loads: the title slide, 1200x630."""
    base = served['based']
    home = refs(based / 'index.html').meta
    assert home['og:title'] == PROJECT
    assert len(home['og:description']) > 50
    assert home['og:url'] == base + 'index.html'
    assert home['og:image'] == base + PREVIEW
    assert (home['og:image:width'], home['og:image:height']) == tuple(map(str, PREVIEW_SIZE))
    deck = refs(based / 'slides' / 'index.html').meta
    assert deck['og:url'] == base + 'slides/index.html' and deck['og:image'] == base + PREVIEW
    snippet = refs(based / 'snippets' / 'http_blocking.py.html').meta
    assert snippet['og:image'] == base + PREVIEW and snippet['og:title'].startswith('snippets/')

    visit = Visit(browser, base, **DESKTOP)
    try:
        visit.open(base)
        page = visit.page
        meta = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('meta[property^="og:"]')]
                                .map(m => [m.getAttribute('property'), m.content]))""")
        assert meta['og:image'] == base + PREVIEW
        size = page.evaluate("""src => new Promise((ok, no) => { const i = new Image();
            i.onload = () => ok([i.naturalWidth, i.naturalHeight]); i.onerror = no; i.src = src; })""",
                             meta['og:image'])
        assert tuple(size) == PREVIEW_SIZE
    finally:
        visit.close()
    assert not visit.outside and not visit.failed
    record_property('site_report', f'og:image {home["og:image"]} loads: {size[0]}x{size[1]}')


def test_404_page_at_any_depth(browser, served, record_property):
    """A missing address under /talk/, however deep, gets the site's 404 page with status 404,
    styled (its stylesheets and scripts load from /talk/), leading back to the talk."""
    base = served['based']
    visit = Visit(browser, base, **PHONE)
    try:
        for missing_url in (base + 'nothing.html', base + 'no/such/deep/page.html', base + 'slides/x/'):
            response = visit.open(missing_url)
            page = visit.page
            assert response.status == 404
            assert page.title().startswith('Page not found')
            assert page.evaluate("[...document.styleSheets].some(s => s.href && s.href.includes('furo.css'))")
            assert page.evaluate("getComputedStyle(document.body).fontFamily") != 'Times New Roman'
            assert page.evaluate('document.documentElement.scrollWidth') <= 390
        visit.open(base + 'a/b/c/d.html')
        page = visit.page
        page.click('article a:text("I/O concurrency")')
        page.wait_for_url(base)
        assert page.locator('h1').first.inner_text().startswith(PROJECT)
    finally:
        visit.close()
    failed = [f for f in visit.failed if not re.search(r'/(nothing|no/such|slides/x|a/b/c)', f)]
    assert not failed and not visit.outside and not visit.errors, (failed, visit.outside, visit.errors)
    record_property('site_report', '404 page: status 404, styled, at depths 0-3 under /talk/')


@pytest.mark.parametrize('scheme', ['light', 'dark'])
def test_404_page_passes_axe(browser, served, scheme):
    """The 404 page as published (the build with a base URL: styled) passes axe-core's WCAG 2.1 A
    and AA rules, light and dark (tests/test_accessibility.py checks every other page)."""
    base = served['based']
    visit = Visit(browser, base, color_scheme=scheme, **DESKTOP)
    try:
        assert visit.open(base + 'no/such/page.html').status == 404
        violations = axe_violations(visit.page)
    finally:
        visit.close()
    assert not violations, '\n'.join(violations)
    failed = [f for f in visit.failed if 'no/such/page.html' not in f]
    assert not failed and not visit.outside, (failed, visit.outside)
