"""Every chart, authored with Altair at build time (CPython) as Vega-Lite JSON.

Each chart reads *named* data sources; the browser streams rows into them through the Vega view
API (view.change(name, changeset)), so nothing is re-embedded while training. One spec may be
embedded several times on a page (the introduction and the training view both show "recon" and
"hist"). Colours are the Okabe-Ito palette, which stays distinguishable with the common
colour-vision deficiencies; charts.js switches Vega's dark theme on when the system is dark.

Data sources (rows the browser sends):
    loss    losses     {epoch, series: "train" | "validation", loss}
    recon   recon      {t, input, output, error}                (one row per time step)
            stretch    {t0, t1, x0, x1}                          (the stretch its sentence names, or none)
    roc     roc        {fpr, tpr, threshold};  roc_point {fpr, tpr}  (the current threshold)
    hist    errors     {error, cls, i};  threshold {threshold}
    latent  latent     {x, y, cls, i, error}

Linked views (issue 18): the selections the page reads are Altair parameters, whose Vega signals
static/charts.js listens to (no hit-testing of our own): "bin" (a histogram bin: {lo, hi} in log10
errors), "rocpick" (an ROC point: {threshold}), "brush" (a latent box: {x, y}) and "hoverpick" (the
latent point under the pointer: {i, error}). The page sets "hoverSample" (a test sample's index, -1
for none) and "hoverError" (its error) to highlight that sample in the histogram, the latent scatter
and the timeline.
"""
import altair as alt

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]
SERIES = alt.Scale(domain=["train", "validation"], range=[OKABE_ITO[0], OKABE_ITO[1]])
# Class colours in the order the dataset lists its classes (data/about.py); static/app.css gives
# the introduction's gallery the same ones.
CLASS_COLORS = [OKABE_ITO[i] for i in (0, 4, 1, 3, 2, 5, 6, 7)]
ERROR_BAND = OKABE_ITO[4]
CLASS_LEGEND = alt.Legend(columns=3, symbolType="circle")


def _base(chart, title, height=220):
    return (chart.properties(width="container", height=height, title=title)
            .configure_view(stroke=None)
            .configure_axis(labelFontSize=11, titleFontSize=12)
            .configure_legend(orient="top", labelFontSize=11, title=None, labelLimit=160))


def loss_chart():
    """Train and validation loss per epoch. Rows: {epoch, series, loss}."""
    base = alt.Chart(alt.Data(name="losses")).encode(
        x=alt.X("epoch:Q", title="Epoch", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("loss:Q", title="Mean squared error", scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", scale=SERIES),
    )
    # The points carry the tooltips: a line's would show its first epoch wherever it is hovered (Vega
    # picks a line as its first point), and cost as much again on every update, where Vega interprets
    # them (static/charts.js): half of a 600-row loaded history's redraw.
    tips = [alt.Tooltip("series:N", title="Set"), alt.Tooltip("epoch:Q", title="Epoch"),
            alt.Tooltip("loss:Q", title="Loss", format=".5f")]
    return _base(base.mark_line() + base.mark_point(filled=True, size=30).encode(tooltip=tips), "Loss")


def recon_chart():
    """A sample and the model's reconstruction, the error between them shaded; under it the error
    strip, on the same time axis: each time step's squared error as a cell (the darker, the more)
    and the stretch its sentence names outlined, and shaded above (models/error_strip.py).

    The strip is drawn in the chart's own view, in the bottom rows of pixels (the signal's y scale
    stops above them): one view, so one time scale by construction, and the time axis under both."""
    data, stretch = alt.Data(name="recon"), alt.Data(name="stretch")
    signal, top, bottom = 190, 196, 214  # pixel rows: the signal's from 0, the strip's, and the view's height
    x = alt.X("t:Q", title="Time step", scale=alt.Scale(nice=False, zero=False),
              axis=alt.Axis(grid=False, tickCount=alt.ExprRef("ceil(width / 60)"), labelOverlap=True))
    tips = [alt.Tooltip("t:Q", title="Time step"), alt.Tooltip("input:Q", title="Input", format=".3f"),
            alt.Tooltip("output:Q", title="Reconstruction", format=".3f"),
            alt.Tooltip("error:Q", title="Squared error", format=".3~g")]
    # aria=False: the strip's cells, shade and outline are not described one by one to screen
    # readers (the sentence under the chart says where the error is), which also keeps an update cheap
    shade = alt.Chart(stretch).mark_rect(color="#808080", opacity=0.14, aria=False).encode(
        x="x0:Q", x2="x1:Q", y=alt.value(0), y2=alt.value(signal))
    band = alt.Chart(data).mark_area(opacity=0.35, color=ERROR_BAND).encode(
        x=x, y=alt.Y("input:Q", title="Signal", scale=alt.Scale(range=[signal, 0])), y2="output:Q", tooltip=tips)
    lines = alt.Chart(data).transform_fold(["input", "output"], as_=["series", "value"]).transform_calculate(
        series="datum.series === 'input' ? 'Input' : 'Reconstruction'").mark_line(strokeWidth=2).encode(
        x="t:Q", y="value:Q",
        color=alt.Color("series:N", scale=alt.Scale(domain=["Input", "Reconstruction"],
                                                    range=[OKABE_ITO[0], OKABE_ITO[1]])),
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=["Input", "Reconstruction"],
                                                              range=[[1, 0], [6, 3]])),
        tooltip=tips)
    # a cell per step, half a step either side of it (the first and last: not past the sample's ends)
    cells = alt.Chart(data).transform_joinaggregate(
        lo="min(t)", hi="max(t)", total="sum(error)").transform_calculate(
        x0="max(datum.t - 0.5, datum.lo)", x1="min(datum.t + 0.5, datum.hi)",
        share="datum.total > 0 ? datum.error / datum.total : 0", row="'Error'").mark_rect(
        color=ERROR_BAND, aria=False).encode(
        x="x0:Q", x2="x1:Q",
        y=alt.Y("row:N", title=None, scale=alt.Scale(range=[top, bottom], paddingInner=0, paddingOuter=0),
                axis=alt.Axis(orient="left", ticks=False, domain=False, labelPadding=6)),
        opacity=alt.Opacity("error:Q", legend=None, scale=alt.Scale(zero=True, range=[0.04, 1])),
        tooltip=[alt.Tooltip("t:Q", title="Time step"), alt.Tooltip("error:Q", title="Squared error", format=".3~g"),
                 alt.Tooltip("share:Q", title="Share of the sample's error", format=".1%")])
    outline = alt.Chart(stretch).mark_rect(filled=False, stroke="#808080", strokeWidth=2, aria=False).encode(
        x="x0:Q", x2="x1:Q", y=alt.value(top - 1), y2=alt.value(bottom + 1),
        tooltip=[alt.Tooltip("t0:Q", title="Stretch from step"), alt.Tooltip("t1:Q", title="to")])
    # The strip's y is a scale of its own, whose axis says "Error" (as an axis: the theme colours it)
    chart = alt.layer(shade + band + lines, cells + outline).resolve_scale(y="independent")
    # REFIT: the time axis has no labels until rows arrive (its domain is the sample's steps)
    return _base(chart, "Sample and reconstruction", height=bottom).properties(autosize=REFIT)


def roc_chart():
    """ROC curve, the chance diagonal, and the operating point of the current threshold."""
    axis = dict(scale=alt.Scale(domain=[0, 1]))
    diagonal = alt.Chart(alt.Data(values=[{"fpr": 0, "tpr": 0}, {"fpr": 1, "tpr": 1}])).mark_line(
        strokeDash=[4, 4], color="#999").encode(x="fpr:Q", y="tpr:Q")
    curve = alt.Chart(alt.Data(name="roc")).mark_line(color=OKABE_ITO[0], strokeWidth=2, interpolate="step-after").encode(
        # a label every ~60 px: eleven (0.0 to 1.0) crowded together in a third of a laptop's width
        x=alt.X("fpr:Q", title="False positive rate", axis=alt.Axis(tickCount=alt.ExprRef("ceil(width / 60)")), **axis),
        y=alt.Y("tpr:Q", title="True positive rate", **axis),
        tooltip=[alt.Tooltip("fpr:Q", title="FPR", format=".3f"), alt.Tooltip("tpr:Q", title="TPR", format=".3f")])
    # the curve's points, each at its threshold: click one to pick the samples flagged there
    rocpick = alt.selection_point(name="rocpick", fields=["threshold"], on="click", nearest=True, clear=False,
                                  empty=False)
    dots = alt.Chart(alt.Data(name="roc")).mark_circle(color=OKABE_ITO[0], cursor="pointer").encode(
        x="fpr:Q", y="tpr:Q",
        size=alt.condition(rocpick, alt.value(110), alt.value(14)),
        opacity=alt.condition(rocpick, alt.value(1.0), alt.value(0.5)),
        tooltip=[alt.Tooltip("fpr:Q", title="FPR", format=".3f"), alt.Tooltip("tpr:Q", title="TPR", format=".3f"),
                 alt.Tooltip("threshold:Q", title="Threshold here", format=".4~g")]).add_params(rocpick)
    point = alt.Chart(alt.Data(name="roc_point")).mark_point(
        color=OKABE_ITO[4], filled=True, size=120, shape="diamond").encode(
        x="fpr:Q", y="tpr:Q",
        tooltip=[alt.Tooltip("fpr:Q", title="FPR at threshold", format=".3f"),
                 alt.Tooltip("tpr:Q", title="TPR at threshold", format=".3f")])
    return _base(diagonal + curve + dots + point, "ROC curve (◆ threshold)", height=240)


def class_names(about):
    """Each class's short name (what chart rows carry, so legends stay on phones), in colour order."""
    from data.about import class_name, labels
    return [class_name(about, label, short=True) for label in labels(about)]


def class_param(about):
    """The class names as a parameter (a Vega signal), so that the page can give a chart another
    dataset's classes at run time (static/charts.js setSignal) without re-embedding it."""
    return alt.param(name="classNames", value=class_names(about))


# The colours follow the order of the names (ordinal range); a dataset with more classes than
# colours repeats them.
CLASS_SCALE = alt.Scale(domain=alt.ExprRef("classNames"), range=CLASS_COLORS)


# The test sample the page highlights (hovered in the gallery or the latent scatter), by index and error.
HOVER_SAMPLE = alt.param(name="hoverSample", value=-1)
HOVER_ERROR = alt.param(name="hoverError", value=0)
HOVER_STROKE = "#000000"


def hist_chart(param, linked=False):
    """Reconstruction errors of the test samples by class, log-binned, with the threshold line.
    linked (the training view's): click a bin, the "bin" selection; the bin of the highlighted
    sample (hoverError) is outlined."""
    # Explicit transforms (calculate, then bin): Vega-Lite would otherwise bin before calculating.
    bars = alt.Chart(alt.Data(name="errors")).transform_calculate(
        log_error="log(max(datum.error, 1e-9)) / LN10").transform_bin(
        ["lo", "hi"], "log_error", bin=alt.Bin(maxbins=40)).transform_calculate(
        err_from="pow(10, datum.lo)", err_to="pow(10, datum.hi)").mark_bar(cursor="pointer" if linked else "auto").encode(
        x=alt.X("lo:Q", bin="binned", title="Reconstruction error (log scale)",
                axis=alt.Axis(labelExpr="format(pow(10, datum.value), '.2~g')", labelOverlap=True)),
        x2="hi:Q",
        y=alt.Y("count():Q", title="Samples", stack=True),
        color=alt.Color("cls:N", scale=CLASS_SCALE, title="Class", legend=CLASS_LEGEND),
        tooltip=[alt.Tooltip("cls:N", title="Class"), alt.Tooltip("count():Q", title="Samples"),
                 alt.Tooltip("err_from:Q", title="Error from", format=".4~g"),
                 alt.Tooltip("err_to:Q", title="Error to", format=".4~g")])
    rule = alt.Chart(alt.Data(name="threshold")).transform_calculate(
        log_t="log(max(datum.threshold, 1e-9)) / LN10").mark_rule(
        color="#808080", strokeWidth=2.5, strokeDash=[6, 3]).encode(  # grey: visible light and dark
        x="log_t:Q", tooltip=[alt.Tooltip("threshold:Q", title="Threshold", format=".5f")])
    if not linked:
        return _base((bars + rule).add_params(param), "Errors by class (dashed: threshold)")
    pick = alt.selection_point(name="bin", fields=["lo", "hi"], on="click", clear=False)
    log_hover = "log(max(hoverError, 1e-9)) / LN10"
    hovered = "hoverSample >= 0 && datum.lo <= %s && %s < datum.hi" % (log_hover, log_hover)
    bars = bars.encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.3)),
                       stroke=alt.condition(hovered, alt.value(HOVER_STROKE), alt.value(None)),
                       strokeWidth=alt.condition(hovered, alt.value(2.5), alt.value(0))).add_params(pick)
    return _base((bars + rule).add_params(param, HOVER_SAMPLE, HOVER_ERROR),
                 "Errors by class (dashed: threshold)")


def latent_chart(param):
    """Test samples in the bottleneck (or its first two principal components). Drag a box: the
    "brush" selection; the point under the pointer: "hoverpick"; the highlighted sample (hoverSample)
    is drawn large and outlined."""
    brush = alt.selection_interval(name="brush", encodings=["x", "y"], clear=False)
    hover = alt.selection_point(name="hoverpick", fields=["i", "error"], on="mouseover", nearest=True,
                                clear="mouseout", empty=False)
    hovered = "datum.i === hoverSample"
    pts = alt.Chart(alt.Data(name="latent")).mark_circle(size=28).encode(
        x=alt.X("x:Q", title="Latent dimension 1", scale=alt.Scale(zero=False)),
        y=alt.Y("y:Q", title="Latent dimension 2", scale=alt.Scale(zero=False)),
        color=alt.Color("cls:N", scale=CLASS_SCALE, title="Class", legend=CLASS_LEGEND),
        opacity=alt.condition(brush, alt.value(0.75), alt.value(0.15)),
        size=alt.condition(hovered, alt.value(160), alt.value(28)),
        stroke=alt.condition(hovered, alt.value(HOVER_STROKE), alt.value(None)),
        strokeWidth=alt.condition(hovered, alt.value(2), alt.value(0)),
        # which sample and its class: its coordinates in the bottleneck mean nothing to read, and
        # formatting them for every point (twice: the nearest-point cells carry the tooltip too)
        # doubled the time to draw the chart (~50 ms for its first 500 points in Chromium)
        tooltip=[alt.Tooltip("i:Q", title="Test sample"), alt.Tooltip("cls:N", title="Class")])
    return _base(pts.add_params(param, brush, hover, HOVER_SAMPLE),
                 "Latent space of the test samples", height=260)


def preview_chart():
    """A few samples of a user's file (or the start of its series), before anything is trained."""
    lines = alt.Chart(alt.Data(name="samples")).mark_line(strokeWidth=1.5).encode(
        x=alt.X("t:Q", title="Time step"), y=alt.Y("value:Q", title="Value", scale=alt.Scale(zero=False)),
        color=alt.Color("sample:N", title="Sample", scale=alt.Scale(range=CLASS_COLORS)),
        tooltip=[alt.Tooltip("sample:N", title="Sample"), alt.Tooltip("t:Q", title="Time step"),
                 alt.Tooltip("value:Q", title="Value", format=".4~g")])
    return _base(lines, "What was read", height=180)


# The timeline's two charts share their time axis: the page sets [0, points] as this parameter.
TIME_PARAM = alt.param(name="timeDomain", value=[0, 100])
TIME_SCALE = alt.Scale(domain=alt.ExprRef("timeDomain"), nice=False)
TIME_X = alt.X("t:Q", title="Time (point of the series)", scale=TIME_SCALE,
              axis=alt.Axis(tickCount=alt.ExprRef("ceil(width / 90)"), labelOverlap=True))
# The same room for both charts' y axes, so that their time axes line up.
TIME_Y_AXIS = alt.Axis(minExtent=56, maxExtent=56)
# Laid out again when rows arrive: the axes' labels are only known then (an empty chart is laid out
# for none, and its labels were cut off at the left).
REFIT = alt.AutoSizeParams(type="fit-x", contains="padding", resize=True)


def timeline_chart():
    """A long series, its training part (grey), its labelled anomalies (green) and the stretches
    the threshold flags (orange)."""
    def band(source, colour, opacity, what):
        # outlined, so that a stretch of a few points in a long series still shows
        return alt.Chart(alt.Data(name=source)).mark_rect(color=colour, opacity=opacity, stroke=colour,
                                                          strokeWidth=1.5, strokeOpacity=0.9).encode(
            x=alt.X("t0:Q", scale=TIME_SCALE), x2="t1:Q",
            tooltip=[alt.Tooltip("t0:Q", title=what + " from"), alt.Tooltip("t1:Q", title="to")])
    line = alt.Chart(alt.Data(name="series")).mark_line(strokeWidth=1, color=OKABE_ITO[0]).encode(
        x=TIME_X, y=alt.Y("value:Q", title="Value", scale=alt.Scale(zero=False), axis=TIME_Y_AXIS))
    layers = (band("training", "#808080", 0.15, "Training part") + band("labelled", OKABE_ITO[2], 0.35, "Labelled anomaly")
              + band("flagged", ERROR_BAND, 0.45, "Flagged") + line)
    # a short title: a title wider than a phone's chart squeezes the plot to nothing (the key is
    # in the page, static/index.html)
    return _base(layers.add_params(TIME_PARAM), "The series", height=160).properties(autosize=REFIT)


def timeline_errors_chart():
    """Each window's reconstruction error at its middle (click a test window: its reconstruction)."""
    pick = alt.selection_point(name="pick", fields=["i"], on="click", nearest=True, empty=False)
    dots = alt.Chart(alt.Data(name="windows")).mark_circle(size=16).encode(
        x=TIME_X, y=alt.Y("error:Q", title="Window error (log)", scale=alt.Scale(type="log"), axis=TIME_Y_AXIS),
        color=alt.Color("part:N", title="Windows", scale=alt.Scale(domain=["training", "test"],
                                                                   range=["#9a9a9a", OKABE_ITO[0]])),
        size=alt.when(pick).then(alt.value(90)).when("datum.i === hoverSample").then(alt.value(90)).otherwise(alt.value(16)),
        stroke=alt.condition("datum.i === hoverSample", alt.value(HOVER_STROKE), alt.value(None)),
        tooltip=[alt.Tooltip("t:Q", title="Window middle"), alt.Tooltip("error:Q", title="Error", format=".4~g"),
                 alt.Tooltip("part:N", title="Part"), alt.Tooltip("i:Q", title="Test window (-1: training)")])
    rule = alt.Chart(alt.Data(name="threshold")).mark_rule(color="#808080", strokeWidth=2, strokeDash=[6, 3]).encode(
        y="threshold:Q")
    return _base((dots.add_params(pick) + rule).add_params(TIME_PARAM, HOVER_SAMPLE),
                 "Window errors", height=150).properties(autosize=REFIT)


def detector_scale():
    """The autoencoder and each detector (models/detectors.py) with a colour of its own, in every view."""
    from models.detectors import DETECTORS
    return alt.Scale(domain=["Autoencoder"] + [d["label"] for d in DETECTORS], range=OKABE_ITO)


def _detector_curves(source, x, x_title, y, y_title):
    """One line per detector (the autoencoder's included), on a [0, 1] x [0, 1] square. Vega's
    CSP-safe interpreter evaluates every encoding's expression for each of the ~3,000 points, and
    a line's tooltip shows one point's values wherever it is hovered: it names the detector only,
    without two formatted numbers per point that were the same wherever the line was hovered."""
    return alt.Chart(alt.Data(name=source)).mark_line(interpolate="step-after", strokeWidth=2).encode(
        x=alt.X(x + ":Q", title=x_title, scale=alt.Scale(domain=[0, 1])),
        y=alt.Y(y + ":Q", title=y_title, scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("detector:N", title="Detector", scale=detector_scale(),
                        legend=alt.Legend(columns=2, symbolType="stroke")),
        tooltip=alt.Tooltip("detector:N", title="Detector"))


def compare_roc_chart():
    """ROC curves of the autoencoder and every baseline detector, overlaid (issue 16)."""
    diagonal = alt.Chart(alt.Data(values=[{"x": 0, "y": 0}, {"x": 1, "y": 1}])).mark_line(
        color="#999", strokeDash=[4, 4]).encode(x="x:Q", y="y:Q")
    curves = _detector_curves("roc", "fpr", "False positive rate", "tpr", "True positive rate")
    return _base(diagonal + curves, "ROC of every detector", height=260)


def compare_pr_chart():
    """Precision against recall of the autoencoder and every baseline detector, overlaid."""
    return _base(_detector_curves("pr", "recall", "Recall", "precision", "Precision"),
                 "Precision and recall of every detector", height=260)


# Run history (issue 18): the chosen runs overlaid, one colour per run (named in the legend), and
# one chosen setting against AUC. Rows come from static/history.js and app/ui_history.py.
RUN_COLOR = alt.Color("run:N", title="Run", scale=alt.Scale(range=OKABE_ITO),
                      legend=alt.Legend(columns=2, symbolType="stroke"))


def history_loss_chart():
    """Loss per epoch of 2-4 recorded runs: {run, series, epoch, loss}; dashed: validation."""
    return _base(alt.Chart(alt.Data(name="losses")).mark_line(strokeWidth=2).encode(
        x=alt.X("epoch:Q", title="Epoch", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("loss:Q", title="Mean squared error", scale=alt.Scale(type="log")),
        color=RUN_COLOR, detail="series:N",
        strokeDash=alt.StrokeDash("series:N", title="Set", scale=alt.Scale(domain=["train", "validation"],
                                                                          range=[[1, 0], [6, 3]]), legend=None),
        tooltip=[alt.Tooltip("run:N", title="Run"), alt.Tooltip("series:N", title="Set"),
                 alt.Tooltip("epoch:Q", title="Epoch"), alt.Tooltip("loss:Q", title="Loss", format=".5f")]),
        "Loss (dashed: validation)", height=240)


def history_roc_chart():
    """ROC curves of 2-4 recorded runs: {run, fpr, tpr}."""
    diagonal = alt.Chart(alt.Data(values=[{"x": 0, "y": 0}, {"x": 1, "y": 1}])).mark_line(
        color="#999", strokeDash=[4, 4]).encode(x="x:Q", y="y:Q")
    curves = alt.Chart(alt.Data(name="roc")).mark_line(interpolate="step-after", strokeWidth=2).encode(
        x=alt.X("fpr:Q", title="False positive rate", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("tpr:Q", title="True positive rate", scale=alt.Scale(domain=[0, 1])),
        color=RUN_COLOR, tooltip=[alt.Tooltip("run:N", title="Run"), alt.Tooltip("fpr:Q", format=".3f"),
                                  alt.Tooltip("tpr:Q", format=".3f")])
    return _base(diagonal + curves, "ROC of the chosen runs", height=240)


def history_setting_chart():
    """Each recorded run's AUC by the value of one setting: {value, order, auc, run}; values placed
    in `order` (numbers by size)."""
    return _base(alt.Chart(alt.Data(name="points")).mark_circle(size=60, opacity=0.7, color=OKABE_ITO[0]).encode(
        x=alt.X("value:N", title="Setting value", sort=alt.EncodingSortField("order", op="min"),
                axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("auc:Q", title="AUC", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("run:N", title="Run"), alt.Tooltip("value:N", title="Value"),
                 alt.Tooltip("auc:Q", title="AUC", format=".4f")]),
        "AUC of each run by this setting", height=180)


def all_specs(about):
    """name -> Vega-Lite spec (dict), written to dist/specs.json; `about` describes the dataset
    whose classes the charts colour (data/about.py)."""
    classes = class_param(about)
    return {"loss": loss_chart().to_dict(), "recon": recon_chart().to_dict(), "roc": roc_chart().to_dict(),
            "hist": hist_chart(classes).to_dict(), "hist_linked": hist_chart(classes, linked=True).to_dict(), "latent": latent_chart(classes).to_dict(),
            "preview": preview_chart().to_dict(), "timeline": timeline_chart().to_dict(),
            "timeline_errors": timeline_errors_chart().to_dict(), "compare_roc": compare_roc_chart().to_dict(),
            "compare_pr": compare_pr_chart().to_dict(),
            "history_loss": history_loss_chart().to_dict(), "history_roc": history_roc_chart().to_dict(),
            "history_setting": history_setting_chart().to_dict()}
