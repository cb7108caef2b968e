"""``make bench-check``: a rerun's medians beside the committed ones, with the difference in percent."""
from slides.tools.bench.report import ratio

TOLERANCE = 15                      # %: a rerun within this of the committed medians reproduces them


def percent(now, then):
    return (float(now) - float(then)) / float(then) * 100


def compare(rows, committed):
    """Lines, one per model and N measured in both: wall / d and CPU per request, now and then."""
    lines = []
    for row in rows:
        then = next((r for r in committed if (r['model'], r['N'], r['collector'])
                     == (row['model'], row['N'], row['collector'])), None)
        if then is None or 'ok' not in (row['result'], then['result']) or row['result'] != then['result']:
            continue
        wall, cpu = (percent(row['wall / d'], then['wall / d']),
                     percent(row['client CPU µs/request'], then['client CPU µs/request']))
        verdict = 'within' if abs(wall) <= TOLERANCE else 'OUTSIDE'
        lines.append(
            f'{row["model"]} at N = {row["N"]:,}: {ratio(row, spread=True)} on Python {row["python"]}, '
            f'committed {ratio(then, spread=True)} on Python {then["python"] or "?"}: {wall:+.0f}% '
            f'({verdict} ±{TOLERANCE}%); CPU per request {row["client CPU µs/request"]} µs, '
            f'committed {then["client CPU µs/request"]} µs: {cpu:+.0f}%')
    return lines or ['nothing to compare: no point measured both now and in the committed file']
