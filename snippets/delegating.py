"""Delegating to a subgenerator: ``yield from`` (PEP 380, Python 3.3)."""


def generator():
    for i in range(10):
        yield i
    for j in range(10, 20):
        yield j


# -- slide: subgenerators
def generator2():
    for i in range(10):
        yield i


def generator3():
    for j in range(10, 20):
        yield j
# -- end: subgenerators


def delegator():                # the same values as generator()
    yield from generator2()
    yield from generator3()


# -- run: python -m snippets.delegating
if __name__ == '__main__':
    print(list(generator()))
    print(list(delegator()))
