"""``make bench-check``: a rerun's takes beside the spread the slides publish (bench.csv's takes)."""
import statistics

from slides.tools.bench import text
from slides.tools.bench.records import find, points


def compare(takes, committed):
    """Lines, one per model and N measured in both: inside or OUTSIDE the published spread (the
    range of the committed takes, every round and every mode), by the rerun's median wall time
    over d; how many of its takes fell outside; CPU per request beside the published."""
    lines, published = [], points(committed)
    for now in points(takes):
        then = find(published, now.model, now.n, now.collector)
        if then is None or not (now.ok and then.ok):
            continue
        low, high, median = min(then.ratios), max(then.ratios), statistics.median(now.ratios)
        if low <= median <= high:
            verdict = 'inside the published spread'
        else:
            off = (median - high) / high if median > high else (median - low) / low
            verdict = f'OUTSIDE the published spread by {off:+.0%}'
        astray = sum(not low <= r <= high for r in now.ratios)
        lines.append(
            f'{now.label} at N = {now.n:,}: {verdict}: {median:.2f} × d, the median of '
            f'{text.ratio(now)} on Python {now.python} ({astray} of {len(now.ratios)} takes outside); '
            f'published {text.ratio(then)} on Python {then.python} ({text.takes(then)}); '
            f'CPU per request {text.cpu(now)}, published {text.cpu(then, spread=True)}')
    return lines or ['nothing to compare: no point measured both now and in the committed file']


def inside(lines):
    return all('OUTSIDE' not in line and not line.startswith('nothing') for line in lines)


def verdict(lines):
    """The last line: every model inside, or which are not."""
    if inside(lines):
        return 'bench-check: every model inside the published spread'
    outside = [line.split(' at N = ')[0] for line in lines if 'OUTSIDE' in line]
    return 'bench-check: OUTSIDE the published spread: ' + (', '.join(outside) or 'nothing compared')
