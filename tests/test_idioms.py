"""The four idioms: sequential takes the sum, parallel the maximum, chained
runs in order, the timer ticks until cancelled.

Twice over: with the slide's own numbers (4 + 3 + 1 seconds...) on a loop whose
clock the test controls, so they take no real time, and with small real
durations on an ordinary loop, so the virtual clock is not the whole proof.
"""
import asyncio
import gc
import re

import pytest

from _support import SHORT_TIMEOUT, run_virtual, until
from snippets import idiom_chained, idiom_parallel, idiom_sequential, idiom_timer


@pytest.fixture(autouse=True)
def no_asyncio_errors(caplog):
    """Fail on what asyncio only logs, such as "Task was destroyed but it is pending"."""
    yield
    gc.collect()
    assert not [r.getMessage() for r in caplog.records
                if r.name == 'asyncio' and r.levelname in ('WARNING', 'ERROR', 'CRITICAL')]


# -- with the slide's numbers, on the virtual clock ---------------------------

def test_virtual_clock_is_virtual():
    _, virtual, real = run_virtual(asyncio.sleep(3600))
    assert virtual == 3600 and real < 5


def test_sequential_takes_the_sum(capsys):
    _, virtual, _ = run_virtual(idiom_sequential.main())
    assert virtual == 4 + 3 + 1
    assert capsys.readouterr().out == 'took 8.0 s\n'


def test_sequential_instances_run_at_once():
    """Each instance is sequential inside, but many of them run concurrently."""
    async def many():
        await asyncio.gather(*(idiom_sequential.multistep_coroutine() for _ in range(100)))

    _, virtual, _ = run_virtual(many())
    assert virtual == 8


def test_parallel_takes_the_maximum_and_gathers_in_argument_order(capsys):
    results, virtual, _ = run_virtual(idiom_parallel.main())
    assert virtual == 4
    assert results == [4, 3, 2]
    assert capsys.readouterr().out == '[4, 3, 2] took 4.0 s\n'


def test_parallel_results_are_ordered_although_completion_is_not():
    async def both(durations):
        finished = [await f for f in asyncio.as_completed(
            map(idiom_parallel.my_coroutine, durations))]
        gathered = await asyncio.gather(*map(idiom_parallel.my_coroutine, durations))
        return finished, gathered

    (finished, gathered), virtual, _ = run_virtual(both((4, 3, 2)))
    assert finished == [2, 3, 4]       # they finish shortest first...
    assert gathered == [4, 3, 2]       # ...gather answers in argument order
    assert virtual == 4 + 4


def test_chained_runs_each_step_after_the_previous(capsys):
    _, virtual, _ = run_virtual(idiom_chained.main())
    assert virtual == 1.5
    assert capsys.readouterr().out == 'step 0 done\nstep 1 done\nstep 2 done\ntook 1.5 s\n'


def test_timer_ticks_every_period_then_stops(capsys):
    _, virtual, _ = run_virtual(idiom_timer.main())
    assert virtual == 3.5
    assert capsys.readouterr().out == (
        'tick 0.0\ntick 1.0\ntick 2.0\ntick 3.0\ntimer stopped, cancelled: True\n')


def test_timer_ticks_at_exact_periods():
    async def ticks(period, run_for):
        loop = asyncio.get_running_loop()
        seen = []
        task = asyncio.create_task(idiom_timer.timer(period, lambda: seen.append(loop.time())))
        await asyncio.sleep(run_for)
        task.cancel()
        await asyncio.wait([task])
        return seen

    seen, _, _ = run_virtual(ticks(period=60, run_for=3600 - 1))
    assert seen == [60.0 * i for i in range(60)]


# -- with small real durations, on an ordinary loop ---------------------------

async def elapsed(coro):
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with asyncio.timeout(SHORT_TIMEOUT):
        result = await coro
    return result, loop.time() - start


@pytest.mark.asyncio
async def test_real_sequential_takes_the_sum():
    _, seconds = await elapsed(idiom_sequential.multistep_coroutine(0.15, 0.1, 0.05))
    assert seconds >= 0.3


@pytest.mark.asyncio
async def test_real_parallel_takes_the_maximum(capsys):
    results, seconds = await elapsed(idiom_parallel.main((0.3, 0.2, 0.1)))
    assert results == [0.3, 0.2, 0.1]
    assert 0.3 <= seconds < 0.6, f'{seconds:.2f}s: the sum 0.6 or more, so not parallel'
    # what the slide prints: the results, then the time taken (0.3 s on an idle machine)
    assert re.fullmatch(r'\[0\.3, 0\.2, 0\.1\] took 0\.[345] s\n', capsys.readouterr().out)


@pytest.mark.asyncio
async def test_real_chained_takes_one_step_after_another(capsys):
    _, seconds = await elapsed(idiom_chained.my_outer_coroutine(steps=4, seconds=0.05))
    assert seconds >= 0.2
    assert capsys.readouterr().out.splitlines() == [f'step {i} done' for i in range(4)]


@pytest.mark.asyncio
async def test_real_timer_ticks_until_cancelled_then_stays_quiet():
    loop = asyncio.get_running_loop()
    ticks = []
    start = loop.time()
    task = asyncio.create_task(idiom_timer.timer(0.02, lambda: ticks.append(loop.time())))
    await until(lambda: len(ticks) >= 3, what='three ticks')
    task.cancel()
    async with asyncio.timeout(SHORT_TIMEOUT):
        await asyncio.wait([task])
    assert task.cancelled()
    assert ticks[-1] - start >= 0.04 - 1e-3   # periodic, one period apart at least (later on a busy
                                              # machine; the exact periods: test_timer_ticks_at_exact_periods)
    count = len(ticks)
    await asyncio.sleep(0.1)                  # five more periods: no event to wait for, nothing must
    assert len(ticks) == count                # happen in them, and not one more tick does


@pytest.mark.asyncio
async def test_real_timer_main_stops_its_task(capsys):
    async with asyncio.timeout(SHORT_TIMEOUT):
        await idiom_timer.main(period=0.05, run_for=0.125)
    assert asyncio.all_tasks() == {asyncio.current_task()}   # nothing left running
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == 'tick 0.0' and lines[-1] == 'timer stopped, cancelled: True'
    assert 2 <= len(lines) - 1 <= 3
