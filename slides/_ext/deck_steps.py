"""Step-through code: ``literalinclude`` with a ``:steps:`` option.

::

    .. literalinclude:: ../snippets/http_blocking.py
       :pyobject: http_get
       :steps: /create_connection/ | /sendall/ | /while chunk/-/response \\+=/ | 7

On the slides, each press of the "next" key highlights the next step's lines of the block
(``|`` separates the steps) before the deck moves on, and "previous" steps back
(``_static/deck.js``).  The HTML site and the PDF show the block whole: the option only adds
data for the slide builders.

A step is one or more items separated by ``,``; an item is one line or a range ``A-B`` of them.
A line is given by its number in the block as shown (1 is the block's first line), or, so the
step does not drift when the snippet changes, by a Python regular expression between slashes:
``/re/`` alone is every line of the block it matches (``re.search``); as the start of a range it
is the first such line, and as the end of a range the first one from the range's start on.
``\\/`` is a slash inside the expression.  A number past the block's end, an expression that
matches nothing or an empty range stops the build (the deck builds with ``-W``).

The option overrides Sphinx's ``literalinclude`` (everything else is Sphinx's own), so the deck's
checks on includes still see every include.

Every build, slides or not, also gets every included block trimmed before its steps are resolved: a
``literalinclude`` between marker comments keeps the blank lines around the markers (Sphinx
highlights with ``stripnl=False``), two or more lines of a slide lost per block, and the line
numbers of the steps count the lines shown.
"""
import html
import json
import re

from docutils import nodes
from docutils.parsers.rst import directives
from hieroglyph.builder import building_slides
from sphinx.directives.code import LiteralInclude
from sphinx.util import logging

VERSION = '1'

logger = logging.getLogger(__name__)


class StepsError(ValueError):
    """A ``:steps:`` option that does not fit its block."""


# -- The option's syntax ------------------------------------------------------------------

_NUMBER = re.compile(r'\s*(\d+)')
_PATTERN = re.compile(r'\s*/((?:[^/\\]|\\.)*)/')


def _bound(spec, pos):
    """``(('line', n) or ('re', pattern), next position)`` for one end of an item."""
    for kind, regex in (('line', _NUMBER), ('re', _PATTERN)):
        match = regex.match(spec, pos)
        if match:
            value = int(match.group(1)) if kind == 'line' else match.group(1).replace('\\/', '/')
            if kind == 're':
                try:
                    re.compile(value)
                except re.error as error:
                    raise StepsError(f'bad regular expression /{value}/: {error}') from None
            return (kind, value), match.end()
    raise StepsError(f'expected a line number or /regular expression/ at {spec[pos:].strip()!r}')


def parse(spec):
    """The steps of a ``:steps:`` option: a list of steps, each a list of ``(start, end)`` bounds
    (``end`` is None for a single line or pattern)."""
    steps, items, pos = [], [], 0
    while True:
        start, pos = _bound(spec, pos)
        end = None
        rest = spec[pos:].lstrip()
        pos = len(spec) - len(rest)
        if rest.startswith('-'):
            end, pos = _bound(spec, pos + 1)
            rest = spec[pos:].lstrip()
            pos = len(spec) - len(rest)
        items.append((start, end))
        if not rest:
            steps.append(items)
            return steps
        if rest[0] == '|':
            steps.append(items)
            items = []
        elif rest[0] != ',':
            raise StepsError(f'expected "|", "," or "-" at {rest!r}')
        pos += 1


def resolve(spec, text):
    """The 1-based line numbers each step of ``spec`` highlights in ``text``, in order."""
    lines = text.splitlines()
    count = len(lines)

    def find(bound, first, single):
        kind, value = bound
        if kind == 'line':
            if not 1 <= value <= count:
                raise StepsError(f'line {value} is past the end of the block ({count} lines)')
            return [value]
        found = [n for n, line in enumerate(lines, 1) if n >= first and re.search(value, line)]
        if not found:
            where = f' from line {first} on' if first > 1 else ''
            raise StepsError(f'/{value}/ matches no line of the block{where}')
        return found if single else found[:1]

    steps = []
    for number, items in enumerate(parse(spec), 1):
        chosen = set()
        try:
            for start, end in items:
                if end is None:
                    chosen.update(find(start, 1, single=True))
                    continue
                first = find(start, 1, single=False)[0]
                last = find(end, first, single=False)[0]
                if last < first:
                    raise StepsError(f'the range ends (line {last}) before it starts (line {first})')
                chosen.update(range(first, last + 1))
        except StepsError as error:
            raise StepsError(f'step {number}: {error}') from None
        steps.append(sorted(chosen))
    return steps


# -- The directive ---------------------------------------------------------------------------

def steps_option(argument):
    spec = directives.unchanged_required(argument)
    try:
        parse(spec)
    except StepsError as error:
        raise ValueError(str(error)) from None
    return spec


class StepsLiteralInclude(LiteralInclude):
    """Sphinx's ``literalinclude``, plus ``:steps:``, kept on the block until it is resolved, and without
    ``:lines:``: line numbers drift silently when a snippet changes (``:pyobject:`` or marker comments
    follow it), so a slide that uses it fails the build ("unknown option")."""

    option_spec = {**{name: spec for name, spec in LiteralInclude.option_spec.items() if name != 'lines'},
                   'steps': steps_option}

    def run(self):
        spec = self.options.pop('steps', None)
        result = super().run()
        if spec is not None:
            for node in result:
                for block in node.findall(nodes.literal_block):
                    if block.get('linenos') or block['highlight_args'].get('hl_lines'):
                        raise self.error(':steps: does not combine with line numbers or :emphasize-lines:')
                    block['deck_steps'] = spec
        return result


def trim_included_code(doctree):
    """Blank lines off the end of every included block, and off its start unless it shows line numbers."""
    for block in doctree.findall(nodes.literal_block):
        if not block.get('source') or block.get('highlight_args', {}).get('hl_lines'):
            continue                                   # typed, or line numbers matter
        text = block.astext()
        if not block.get('linenos'):
            text = re.sub(r'\A(?:[ \t]*\n)+', '', text)
        text = text.rstrip() + '\n'
        if text != block.astext():
            block.children = [nodes.Text(text)]
            block.rawsource = text


def prepare_code(app, doctree):
    """Once a document is read: its included blocks trimmed, then the lines of each step, which
    count the lines of the trimmed block."""
    trim_included_code(doctree)
    for block in doctree.findall(nodes.literal_block):
        if 'deck_steps' in block:
            try:
                block['deck_step_lines'] = resolve(block['deck_steps'], block.astext())
            except StepsError as error:
                logger.warning(':steps: %s', error, location=block)
                block['deck_step_lines'] = []


# -- The slides: a wrapper that carries the steps, and one element per line ---------------------

class code_steps(nodes.General, nodes.Element):
    """A stepped code block, on slides only."""


def wrap_stepped_blocks(app, doctree, docname):
    if not building_slides(app):
        return                                       # the site and the PDF's sources: no steps
    for block in list(doctree.findall(nodes.literal_block)):
        if block.get('deck_step_lines'):
            wrapper = code_steps(steps=block['deck_step_lines'])
            block.replace_self(wrapper)
            wrapper += block


_PRE = re.compile(r'(<pre>)(.*?)(</pre>)', re.S)


def _lines_to_spans(match):
    text = match.group(2)
    end = '\n' if text.endswith('\n') else ''
    lines = text[:len(text) - len(end)].split('\n')
    # Pygments closes and reopens its spans at each line end, so every line is whole.
    return (match.group(1)
            + ''.join(f'<span class="deck-line">{line}\n</span>' for line in lines)
            + match.group(3))


def visit_code_steps(self, node):
    node['body_start'] = len(self.body)
    steps = html.escape(json.dumps(node['steps'], separators=(',', ':')), quote=True)
    self.body.append(f'<div class="deck-steps" data-deck-steps="{steps}">')


def depart_code_steps(self, node):
    start = node['body_start'] + 1
    rendered = _PRE.sub(_lines_to_spans, ''.join(self.body[start:]), count=1)
    self.body[start:] = [rendered, '</div>\n']


def setup(app):
    app.add_directive('literalinclude', StepsLiteralInclude, override=True)
    app.add_node(code_steps, html=(visit_code_steps, depart_code_steps))
    app.connect('doctree-read', prepare_code)
    app.connect('doctree-resolved', wrap_stepped_blocks)
    return {'version': VERSION, 'parallel_read_safe': True, 'parallel_write_safe': True}
