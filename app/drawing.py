"""A sample drawn on the drawing pad, as the values the model reads. No browser needed
(MicroPython in the page, CPython in the tests): core builtins only."""


def resample(points, lo, hi, n, width, height):
    """Pad points [[x, y], ...] (viewBox 0..width x 0..height, y down, 2-unit margin) -> n values in
    data units, linearly interpolated; before the first / after the last point the ends are held."""
    pts = sorted(points, key=lambda p: p[0])
    xs, ys = [], []
    for x, y in pts:
        if xs and x <= xs[-1]:
            ys[-1] = y  # same column: keep the latest
            continue
        xs.append(x)
        ys.append(y)
    out = []
    k = 0
    span = hi - lo
    for t in range(n):
        x = t * float(width) / (n - 1)
        while k < len(xs) - 2 and xs[k + 1] < x:
            k += 1
        if x <= xs[0]:
            y = ys[0]
        elif x >= xs[-1]:
            y = ys[-1]
        else:
            x0, x1 = xs[k], xs[k + 1]
            y = ys[k] + (ys[k + 1] - ys[k]) * (x - x0) / (x1 - x0) if x1 > x0 else ys[k]
        v = lo + (1 - (y - 2) / float(height - 4)) * span
        out.append(round(v, 4))
    return out
