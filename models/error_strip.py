"""Where in a sample its reconstruction error is (plain NumPy: CPython and Pyodide).

A sample's error (models/model.py) is the mean of its time steps' squared errors; the error strip
under a reconstruction chart draws each step's, and one sentence names the stretch that carries
the most of it: "Timesteps 96–112 carry 61% of this heartbeat's error."

The stretch is the shortest run of consecutive time steps that holds at least half of the error.
- At least half: the stretch holds at least as much of the error as all other steps together, so
  it is *the* place, not one of several; the share says how much of it.
- Shortest: its length says how concentrated the error is. A spike gives a few steps; the error of
  a model that misses a whole bump gives the bump.
- Ties (same length) go to the larger share, then to the earlier stretch: the same sample gives
  the same sentence everywhere.
- It is named only if it stands out: if it carries the error at least 1.5 times as densely as the
  sample does on average (share / length >= 1.5 / the sample's length; for a share of one half, a
  stretch of at most a third of the sample). Below that the error is spread about evenly, and which
  stretch wins is up to noise (a constant error: every half of the sample ties): the sentence then
  says that the error is spread, and how long a stretch half of it needs, which does not hop about.
- An error of zero everywhere (a sample rebuilt exactly) has no stretch, and says so.

Steps are numbered as the chart's x axis numbers them: from 0, or for a window of a long series
from its start in the series (`first_step`).
"""
import numpy as np

BIG = 1e30  # a non-finite error (a diverged model) counts as this: huge, and summable in float64
STANDS_OUT = 1.5  # how much denser than average a stretch's error must be to be named (see above)


def step_errors(x, reconstruction):
    """Each time step's squared error (float64, finite, >= 0); their mean is the sample's error."""
    with np.errstate(over="ignore", invalid="ignore"):
        d = np.asarray(reconstruction, dtype=np.float64) - np.asarray(x, dtype=np.float64)
        e = d * d
    return np.clip(np.nan_to_num(e, nan=BIG, posinf=BIG), 0.0, BIG)


def worst_stretch(errors):
    """(first, last, share): the shortest stretch errors[first:last + 1] holding at least half of
    the total (ties: the larger share, then the earlier), and the share it holds; None when the
    total is zero."""
    e = np.clip(np.nan_to_num(np.asarray(errors, dtype=np.float64).ravel(), nan=BIG, posinf=BIG), 0.0, BIG)
    n = len(e)
    total = float(e.sum())
    if n == 0 or not total > 0:
        return None
    c = np.concatenate(([0.0], np.cumsum(e)))  # c[j] = sum of e[:j]; non-decreasing
    half = c[-1] / 2
    # for each first step i, the fewest steps from i that reach half: the first j with c[j] >= c[i] + half
    starts = np.flatnonzero(c[:-1] + half <= c[-1])
    ends = np.searchsorted(c, c[starts] + half, side="left")  # c[ends] >= c[i] + half; ends <= n
    lengths = ends - starts
    shares = c[ends] - c[starts]
    best = np.flatnonzero(lengths == lengths.min())
    best = best[shares[best] == shares[best].max()][0]  # the earliest of the largest
    first, last = int(starts[best]), int(ends[best]) - 1
    return first, last, float(min(shares[best] / c[-1], 1.0))


def _number(k):
    return "{:,}".format(k)


def _percent(share):
    """Whole percent, rounded down: "61%" means at least 61%, and 100% only for all of it."""
    return "%d%%" % int(share * 100 + 1e-9)


def describe(errors, word, first_step=0):
    """The stretch and its sentence for per-step `errors` of a sample that the dataset calls a
    `word` (data/about.py "sample": "heartbeat", "window", ...) whose first step is numbered
    `first_step`. {"first", "last": step numbers or None, "share": of the error or None,
    "named": whether the sentence names the stretch, "text"}."""
    n = len(errors)
    found = worst_stretch(errors)
    if found is None:
        return {"first": None, "last": None, "share": None, "named": False,
                "text": "This %s is rebuilt exactly: none of its timesteps has any error." % word}
    first, last, share = found
    out = {"first": first_step + first, "last": first_step + last, "share": share}
    length = last - first + 1
    if share * n < STANDS_OUT * length and n > 1:  # a single step is all of its sample: named
        out["named"] = False
        out["text"] = ("The error is spread across this %s: no stretch shorter than %s of its %s timesteps "
                       "carries half of it." % (word, _number(length), _number(n)))
    elif length == 1:
        out["named"] = True
        out["text"] = "Timestep %s carries %s of this %s's error." % (_number(out["first"]), _percent(share), word)
    else:
        out["named"] = True
        out["text"] = "Timesteps %s–%s carry %s of this %s's error." % (
            _number(out["first"]), _number(out["last"]), _percent(share), word)
    return out


def _drawn(errors):
    """Errors as the strip draws them and its tooltip says them: 3 significant digits (the sentence
    is worked out from the exact ones)."""
    return [float("%.3g" % e) for e in errors]


def _stretch_rows(where, first_step, n):
    """The named stretch: its steps t0..t1, and x0..x1 where its outline goes on the chart (half a
    step either side, as the strip's cells, but not past the sample's ends)."""
    if not where["named"]:
        return []
    t0, t1 = where["first"], where["last"]
    return [{"t0": t0, "t1": t1, "x0": max(t0 - 0.5, first_step), "x1": min(t1 + 0.5, first_step + n - 1)}]


def chart_rows(inputs, outputs, errors, where, first_step=0):
    """The reconstruction chart's data (app/charts.py recon_chart): {"recon": a row per step
    {t, input, output, error}, "stretch": the named stretch [{t0, t1, x0, x1}], or none}. inputs
    and outputs in the data's units."""
    rows = [{"t": first_step + k, "input": round(float(a), 4), "output": round(float(b), 4), "error": e}
            for k, (a, b, e) in enumerate(zip(inputs, outputs, _drawn(errors)))]
    return {"recon": rows, "stretch": _stretch_rows(where, first_step, len(rows))}


def reconstruction_chart(exp, rec, first_step=0):
    """A reconstruction by experiment `exp` (Experiment.reconstruct, reconstruct_signal) for its
    chart: (where its error is (describe), the chart's rows (chart_rows), in the data's units)."""
    scaler = exp.model.scaler
    a = np.asarray(rec["input"], dtype=np.float32) * scaler.scale + scaler.shift
    b = np.asarray(rec["output"], dtype=np.float32) * scaler.scale + scaler.shift
    b = np.nan_to_num(b, nan=0.0, posinf=1e6, neginf=-1e6)
    where = describe(rec["per_step"], exp.about["sample"], first_step)
    return where, chart_rows(a, b, rec["per_step"], where, first_step)


def stored_signal(inputs, outputs, errors, where):
    """The same, compact, as the introduction stores a gallery beat's (pretrained/beats.json;
    static/charts.js showSignal makes the rows): {"in", "out", "err", "stretch"}."""
    return {"in": [round(float(v), 3) for v in inputs], "out": [round(float(v), 3) for v in outputs],
            "err": _drawn(errors), "stretch": _stretch_rows(where, 0, len(errors))}


def stored_signals(model, raw, scaled, word):
    """Samples (raw: in the data's units; scaled: as `model` takes them) through `model`, stored as
    the introduction's gallery stores them (stored_signal), and each one's sentence."""
    out = model.reconstruct(scaled)
    recon = out * model.scaler.scale + model.scaler.shift
    signals, texts = [], []
    for a, b, x, y in zip(raw, recon, scaled, out):
        errors = step_errors(x, y)
        where = describe(errors, word)
        signals.append(stored_signal(a, b, errors, where))
        texts.append(where["text"])
    return signals, texts
