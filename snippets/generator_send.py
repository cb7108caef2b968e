"""Generators are duplex: send() hands a value in, yield hands one out."""


def running_average():
    total, count, average = 0, 0, None
    while True:
        value = yield average   # out: average; in: sent value
        total += value
        count += 1
        average = total / count


# -- run: python -m snippets.generator_send
if __name__ == '__main__':
    avg = running_average()
    next(avg)                   # run to the first yield
    for value in (10, 20, 30):
        print(f'send({value}) -> {avg.send(value)}')
