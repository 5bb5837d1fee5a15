"""Every chart, authored with Altair at build time (CPython) as Vega-Lite JSON.

Each chart reads a *named* data source; the browser streams rows into it through the Vega view
API (view.change(name, changeset)), so nothing is re-embedded while training. Colours are the
Okabe-Ito palette, which stays distinguishable with the common colour-vision deficiencies.
"""
import altair as alt

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]
SERIES = alt.Scale(domain=["train", "validation"], range=[OKABE_ITO[0], OKABE_ITO[1]])


def _base(chart, title):
    return (chart.properties(width="container", height=220, title=title)
            .configure_view(stroke=None)
            .configure_axis(labelFontSize=11, titleFontSize=12)
            .configure_legend(orient="top", labelFontSize=11, title=None))


def loss_chart():
    """Train and validation loss per epoch. Rows: {epoch, series, loss}."""
    base = alt.Chart(alt.Data(name="losses")).encode(
        x=alt.X("epoch:Q", title="Epoch", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("loss:Q", title="Mean squared error", scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", scale=SERIES),
        tooltip=[alt.Tooltip("series:N", title="Set"), alt.Tooltip("epoch:Q", title="Epoch"),
                 alt.Tooltip("loss:Q", title="Loss", format=".5f")],
    )
    return _base(base.mark_line() + base.mark_point(filled=True, size=30), "Loss")


def all_specs():
    """name -> Vega-Lite spec (dict), written to dist/specs.json."""
    return {"loss": loss_chart().to_dict()}
