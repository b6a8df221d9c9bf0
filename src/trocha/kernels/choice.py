"""Sampling from a cumulative distribution (destination choice)."""

from numba import njit


@njit(cache=True)
def sample_cdf(cdf_row, u: float) -> int:
    """Index k of the first cdf_row[k] > u * total, or -1 if the row is all zero."""
    total = cdf_row[cdf_row.shape[0] - 1]
    if total <= 0.0:
        return -1
    target = u * total
    lo, hi = 0, cdf_row.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cdf_row[mid] > target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def sample_cdf_py(cdf_row, u: float) -> int:
    """Slow reference of `sample_cdf`."""
    total = float(cdf_row[-1])
    if total <= 0:
        return -1
    for k, value in enumerate(cdf_row):
        if value > u * total:
            return k
    return len(cdf_row) - 1
