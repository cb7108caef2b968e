"""``make bench-check``: a rerun's takes beside the spread the slides publish (bench.csv's takes)."""
import statistics

from slides.tools.bench import text
from slides.tools.bench.records import find, points


def compare(takes, committed):
    """Lines, one per model and N measured in both: the rerun's median wall time / d, inside or
    outside the range of the committed takes (every round, every mode), and CPU per request."""
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
        lines.append(
            f'{now.label} at N = {now.n:,}: {median:.2f} × d, the median of {text.ratio(now)} on '
            f'Python {now.python}; published {text.ratio(then)} on Python {then.python} '
            f'({text.takes(then)}): {verdict}; CPU per request {text.cpu(now)}, published '
            f'{text.cpu(then, spread=True)}')
    return lines or ['nothing to compare: no point measured both now and in the committed file']


def inside(lines):
    return all('OUTSIDE' not in line for line in lines)
