"""CPU-bound Python in parallel, in threads of one process: InterpreterPoolExecutor (3.14)."""
import concurrent.futures
import os
import sys
import time

LIMIT = 100_000     # count_primes(LIMIT): a few tenths of a second of pure Python


def count_primes(limit):                    # pure Python: CPU-bound
    return sum(all(n % d for d in range(2, int(n ** 0.5) + 1))
               for n in range(2, limit))


def in_parallel(function, inputs):
    # a thread per worker, each running an interpreter of its own, with its own GIL
    with concurrent.futures.InterpreterPoolExecutor(
            max_workers=os.process_cpu_count()) as pool:    # CPU-bound: one per CPU
        return list(pool.map(function, inputs))


def main():
    if sys.version_info < (3, 14):
        print('InterpreterPoolExecutor needs Python 3.14;'
              f' this is {sys.version.split()[0]}')
        return
    inputs = [LIMIT] * 4
    start = time.perf_counter()
    counts = in_parallel(count_primes, inputs)
    parallel = time.perf_counter() - start
    start = time.perf_counter()
    for limit in inputs:
        count_primes(limit)
    serial = time.perf_counter() - start
    print(f'count_primes({LIMIT}) {len(inputs)} times: {counts}')
    print(f'in interpreters of their own: {parallel:.1f} s; one after another: {serial:.1f} s'
          f' ({os.process_cpu_count()} CPUs)')


# -- run: python -m snippets.interpreter_pool
if __name__ == '__main__':
    main()
