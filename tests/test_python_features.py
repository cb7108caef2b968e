"""Python features: decorators, iterators, generators, send(), yield from, a generator scheduler.

Every interactive session on a slide is a ``snippets/*.pycon`` file run here by doctest: a result on a
slide that Python does not print fails the suite.
"""
import doctest
import inspect
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from snippets import decorators, delegating, generator_scheduler, generator_send, generators

ROOT = Path(__file__).resolve().parent.parent
PYCON_FILES = sorted((ROOT / 'snippets').glob('*.pycon'))
MINE = {'iterators', 'generators', 'atm', 'generator_send', 'delegating', 'generator_scheduler'}


# -- every .pycon under snippets/, mine and any added later, checked by doctest

def test_pycon_files_are_found():
    assert MINE <= {path.stem for path in PYCON_FILES}


@pytest.mark.parametrize('path', PYCON_FILES, ids=lambda p: p.name)
def test_pycon_session_is_what_python_prints(path):
    # doctest prints a report of each failing example to stdout; pytest shows it when the test fails
    result = doctest.testfile(str(path), module_relative=False, encoding='utf-8',
                              optionflags=doctest.ELLIPSIS, verbose=False, report=True)
    assert result.attempted > 0, f'{path.name}: no >>> examples found'
    assert result.failed == 0, f'{path.name}: {result.failed} of {result.attempted} examples differ'


# -- decorators

def test_repeat_work_calls_the_function_exactly_n_times():
    calls = []
    decorators.repeat_work(lambda: calls.append('called'), 3)
    assert calls == ['called'] * 3
    decorators.repeat_work(lambda: calls.append('again'), 0)
    assert len(calls) == 3


def test_decorator_prints_the_call_then_returns_the_result(capsys):
    assert decorators.add_one(42) == 43
    assert capsys.readouterr().out == 'Calling add_one\n'


def test_wraps_keeps_name_doc_and_the_wrapped_function():
    assert decorators.add_one.__name__ == 'add_one'
    assert decorators.add_one.__doc__ == 'Return x + 1.'
    assert decorators.add_one.__wrapped__(1) == 2          # the undecorated function, no print
    assert inspect.signature(decorators.add_one) == inspect.signature(decorators.add_one.__wrapped__)


def test_decorator_passes_arguments_and_exceptions_through(capsys):
    def divide(a, b=1):
        return a / b

    wrapped = decorators.outer(divide)
    assert wrapped(9, b=3) == 3
    with pytest.raises(ZeroDivisionError):
        wrapped(1, 0)
    assert capsys.readouterr().out == 'Calling divide\n' * 2


def test_decorated_lambda_is_named_lambda(capsys):
    """The 2015 example, f = outer(lambda x: x+1): with __name__ it prints <lambda>."""
    assert decorators.outer(lambda x: x + 1)(42) == 43
    assert capsys.readouterr().out == 'Calling <lambda>\n'


# -- generators

def test_infinite_generator_first_values():
    assert list(itertools.islice(generators.infinite_generator(4), 5)) == [4, 5, 6, 7, 8]
    assert list(itertools.islice(generators.infinite_generator(), 3)) == [0, 1, 2]


def test_calling_a_generator_function_runs_nothing():
    gen = generators.infinite_generator(4)
    assert inspect.isgenerator(gen)
    assert inspect.getgeneratorstate(gen) == inspect.GEN_CREATED
    assert next(gen) == 4
    assert inspect.getgeneratorstate(gen) == inspect.GEN_SUSPENDED
    assert gen.gi_frame.f_locals['start'] == 4        # paused at yield with its state kept


def test_generator_main_stops_the_infinite_loop(capsys):
    generators.main()
    assert capsys.readouterr().out == '4 5 6 7 8 9 \n'


# -- delegating to subgenerator

def test_delegating_generator_yields_the_same_as_the_loops():
    assert list(delegating.generator()) == list(range(20))
    assert list(delegating.generator2()) == list(range(10))
    assert list(delegating.generator3()) == list(range(10, 20))
    assert list(delegating.delegator()) == list(range(20))


def test_delegator_passes_send_through_to_the_subgenerator():
    """What yield from adds to a for loop: delegator() is suspended inside generator2(), so
    send() resumes generator2's own frame (the basis of 2015 asyncio)."""
    d = delegating.delegator()
    assert next(d) == 0
    inner = d.gi_yieldfrom                      # None for a for loop around generator2()
    assert inspect.isgenerator(inner) and inner.__name__ == 'generator2'
    assert d.send('ignored') == 1               # generator2's yield received it...
    assert inner.gi_frame.f_locals['i'] == 1    # ...and it is generator2 that moved on


def test_delegator_throws_into_the_subgenerator():
    """An exception thrown into delegator() is raised inside generator2(), where it waits."""
    d = delegating.delegator()
    next(d)
    with pytest.raises(LookupError) as info:
        d.throw(LookupError('stop'))
    frames = [entry.name for entry in info.traceback]
    assert frames[-2:] == ['delegator', 'generator2']


# -- duplex generators: send()

def test_send_returns_the_running_average():
    avg = generator_send.running_average()
    assert next(avg) is None                     # primed: paused at the first yield
    assert [avg.send(v) for v in (10, 20, 30, 40)] == [10.0, 15.0, 20.0, 25.0]


def test_send_into_an_unstarted_generator_is_a_type_error():
    with pytest.raises(TypeError, match='just-started generator'):
        generator_send.running_average().send(10)


def test_each_generator_keeps_its_own_state():
    a, b = generator_send.running_average(), generator_send.running_average()
    next(a), next(b)
    assert (a.send(1), b.send(100), a.send(3), b.send(200)) == (1.0, 100.0, 2.0, 150.0)


# -- the bridge: generators driven like coroutines by a loop

def test_scheduler_interleaves_the_generators(capsys):
    generator_scheduler.run(generator_scheduler.countdown('a', 3), generator_scheduler.countdown('b', 2))
    assert capsys.readouterr().out.splitlines() == ['a: 3', 'b: 2', 'a: 2', 'b: 1', 'a: 1']


def test_scheduler_resumes_each_generator_one_step_per_turn():
    events = []

    def task(name, steps):
        for i in range(steps):
            events.append((name, i))
            yield

    generator_scheduler.run(task('x', 1), task('y', 3), task('z', 2))
    assert events == [('x', 0), ('y', 0), ('z', 0), ('y', 1), ('z', 1), ('y', 2)]


def test_scheduler_finishes_every_generator():
    gens = [generator_scheduler.countdown(name, 2) for name in 'pq']
    generator_scheduler.run(*gens)
    assert [inspect.getgeneratorstate(g) for g in gens] == [inspect.GEN_CLOSED] * 2


def test_scheduler_drives_async_def_coroutines_too():
    """'Coroutine: just a generator': the same run() drives async def coroutines, no asyncio involved."""
    events = []

    class Pause:
        def __await__(self):
            yield                                # what the loop sees: a plain yield

    async def worker(name, steps):
        for i in range(steps):
            events.append(f'{name}{i}')
            await Pause()

    generator_scheduler.run(worker('a', 2), worker('b', 2))
    assert events == ['a0', 'b0', 'a1', 'b1']


# -- every snippet runs standalone, offline, and prints what its slide shows

STANDALONE = {
    'decorators': 'working\nworking\nCalling add_one\n43\nadd_one: Return x + 1.\nCalling <lambda>\n43\n',
    'generators': '4 5 6 7 8 9 \n',
    'delegating': f'{list(range(20))}\n' * 2,
    'generator_send': 'send(10) -> 10.0\nsend(20) -> 15.0\nsend(30) -> 20.0\n',
    'generator_scheduler': 'a: 3\nb: 2\na: 2\nb: 1\na: 1\n',
}


@pytest.mark.parametrize('name', sorted(STANDALONE))
def test_snippet_runs_standalone(name):
    result = subprocess.run([sys.executable, '-W', 'error', '-m', f'snippets.{name}'],
                            cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ''
    assert result.stdout == STANDALONE[name]
