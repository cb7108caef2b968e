"""The record of the deck (slides/_ext/deck_record.py): what the built deck.json says, and how the
environment keeps it through incremental and parallel builds."""
import json
import re
from types import SimpleNamespace

import deck_record
from _support import ROOT

SNIPPETS = ROOT / 'snippets'


def built_record(build):
    return json.loads((build / deck_record.FILENAME).read_text())


def articles(slides_build):
    """``{slide id: the <article>'s HTML}`` of the built single-file deck, in order."""
    deck = (slides_build / 'index.html').read_text()
    parts = re.split(r'(?=<article\b)', deck)[1:]
    return {re.search(r'\bid="([^"]+)"', part).group(1): part for part in parts}


def test_every_html_build_writes_the_same_record(slides_build, html_build):
    deck, site = built_record(slides_build), built_record(html_build)
    assert deck['format'] == deck_record.FORMAT
    assert deck == site


def test_the_records_slides_are_the_decks_in_order(slides_build, slide_ids):
    slides = built_record(slides_build)['slides']
    assert [slide['id'] for slide in slides] == slide_ids
    assert slides[0]['doc'] == 'index' and slides[0]['title'] == 'I/O concurrency: asyncio'
    assert slides[-1]['title'] == 'Thank you!'


def test_the_records_steps_are_the_decks(slides_build):
    built = articles(slides_build)
    steps = {slide['id']: slide['steps'] for slide in built_record(slides_build)['slides']}
    on_deck = {}
    for slide_id, article in built.items():
        on_deck[slide_id] = sum(len(json.loads(data.replace('&quot;', '"')))
                                for data in re.findall(r'data-deck-steps="([^"]*)"', article))
    assert steps == on_deck
    assert sum(1 for n in steps.values() if n) >= 6         # the README's six stepped slides


def test_the_records_snippets_are_what_the_slides_include(slides_build):
    record = built_record(slides_build)
    built = articles(slides_build)
    for slide in record['slides']:
        for name in slide['snippets']:
            assert (SNIPPETS / name).is_file(), name
            assert slide['id'] in record['snippets'][name]['slides']
    for name, entry in record['snippets'].items():
        module = entry['module']
        assert module == (name.removesuffix('.py') if name.endswith('.py') else None)
        assert entry['program'] == (module is not None and deck_record.is_program(SNIPPETS / name))
        for slide_id in entry['slides']:               # a runnable one is marked on its slide
            assert (f'data-liverun="{module}"' in built[slide_id]) == entry['program'], (name, slide_id)
    assert record['snippets']['http_blocking.py']['program']
    assert record['snippets']['atm.pycon'] == {**record['snippets']['atm.pycon'], 'module': None, 'program': False}


def test_is_program_looks_for_a_main_block(tmp_path):
    program, module = tmp_path / 'program.py', tmp_path / 'module.py'
    program.write_text('def main():\n    pass\n\n\nif __name__ == "__main__":\n    main()\n')
    module.write_text('def main():\n    pass\n\n\nif __name__ != "__main__":\n    main()\n')
    assert deck_record.is_program(program) and not deck_record.is_program(module)


def slide(doc, slide_id, *snippets, steps=0):
    return {'doc': doc, 'id': slide_id, 'title': slide_id.title(), 'steps': steps, 'snippets': list(snippets)}


def fake_env(collected, browser=()):
    return SimpleNamespace(deck_record=collected, deck_snippets_folder=str(SNIPPETS),
                           toctree_includes={'index': ['one', 'two'], 'two': ['three']},
                           config=SimpleNamespace(root_doc='index', deck_browser_snippets=list(browser)))


def test_record_follows_the_toctree_and_names_where_each_snippet_is_shown():
    env = fake_env({'three': [slide('three', 'c', 'loop_hello.py')],
                    'one': [slide('one', 'a', 'http_blocking.py', 'atm.pycon', steps=2)],
                    'index': [slide('index', 'title')],
                    'two': [slide('two', 'b', 'http_blocking.py')]}, browser=['loop_hello'])
    record = deck_record.record(env)
    assert [s['id'] for s in record['slides']] == ['title', 'a', 'b', 'c']
    assert record['snippets'] == {
        'http_blocking.py': {'module': 'http_blocking', 'program': True, 'browser': False, 'slides': ['a', 'b']},
        'atm.pycon': {'module': None, 'program': False, 'browser': False, 'slides': ['a']},
        'loop_hello.py': {'module': 'loop_hello', 'program': deck_record.is_program(SNIPPETS / 'loop_hello.py'),
                          'browser': True, 'slides': ['c']}}
    json.dumps(record)


def test_purge_and_merge_keep_one_entry_per_document():
    env = fake_env({'one': [slide('one', 'a')], 'two': [slide('two', 'b')]})
    deck_record.purge(None, env, 'one')
    assert set(env.deck_record) == {'two'}
    deck_record.purge(None, env, 'one')                      # purging twice is harmless
    worker = fake_env({'one': [slide('one', 'a2')], 'three': [slide('three', 'c')]})
    deck_record.merge(None, env, {'one'}, worker)            # only the documents that worker read
    assert env.deck_record == {'one': [slide('one', 'a2')], 'two': [slide('two', 'b')]}
