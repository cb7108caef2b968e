"""Decorators: functions are objects, and a closure can wrap one."""
import functools


# -- slide: first-class functions
def do_work():
    print('working')


def repeat_work(fn, times):     # 2015: the call omitted `times`
    for _ in range(times):
        fn()                    # fn is a function object: call it
# -- end: first-class functions


# -- slide: a decorator
def outer(fn):
    @functools.wraps(fn)        # keep fn's __name__ and __doc__
    def inner(*args, **kwargs):
        print(f'Calling {fn.__name__}')  # 2015: fn.func_name
        return fn(*args, **kwargs)
    return inner


@outer                  # the same as: add_one = outer(add_one)
def add_one(x):
    """Return x + 1."""
    return x + 1
# -- end: a decorator


# -- run: python -m snippets.decorators
if __name__ == '__main__':
    repeat_work(do_work, 2)
    print(add_one(42))
    print(f'{add_one.__name__}: {add_one.__doc__}')
    f = outer(lambda x: x + 1)  # the 2015 example: a lambda has no name
    print(f(42))
