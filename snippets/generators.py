"""A generator function: calling it creates a generator, next() runs it."""


# -- slide: infinite generator
def infinite_generator(start=0):
    while True:
        yield start
        start += 1


def main():
    for num in infinite_generator(4):
        if num > 9:
            break               # it never stops by itself: we do
        print(num, end=' ')
    print()
# -- end: infinite generator


# -- run: python -m snippets.generators
if __name__ == '__main__':
    main()
