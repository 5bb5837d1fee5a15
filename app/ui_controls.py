# Training controls and the model composer, both generated from models/settings.py (MicroPython).
#
# Every setting gets a control with id "set-<key>" inside a wrapper carrying data-setting="<key>"
# (and data-group="<group>"), so links can hide whole controls. The composer edits encoder,
# latent and decoder. apply_config(config) shows a config everywhere; every user edit ends in
# ui_common.state["config"] and then calls the on_change callback (main.on_config_change).
from pyscript import document

from data import gallery
from models import settings

from app.ui_common import el, esc, state, thousands
from app import control_text

COMPOSER_KEYS = ("encoder", "latent", "decoder")
GROUPS = [("training", "Training"), ("model", "Layers"), ("data", "Data"),
          ("threshold", "Threshold"), ("advanced", "Advanced")]
HELP = {
    "learning_rate": "Step size of each update. Too large and training diverges.",
    "abnormal_pct": "Real data is rarely clean: mix anomalies into the training beats.",
    "threshold_rule": "percentile: from validation errors (no test labels); best_f1 / best_accuracy peek at test labels.",
    "validation_pct": "Held out from training; the threshold rule and the validation loss use it.",
    "dropout": "Randomly silences hidden units while training.",
    "dataset": "Each has its own samples, classes and sample length; switching builds a fresh model.",
}


def _label(key, choice):
    if key == "dataset":
        return gallery.title(choice)
    return choice.replace("_", " ")


def field(s):
    """One setting's control (a select or a text box), its label, hint and message line."""
    key = s["key"]
    tip = HELP.get(key)
    out = ['<div class="field" data-setting="%s" data-group="%s">' % (key, s["group"]),
           '<label for="set-%s">%s</label>' % (key, esc(s["label"]))]
    if s["kind"] == "choice":
        opts = "".join('<option value="%s">%s</option>' % (c, esc(_label(key, c))) for c in s["choices"])
        out.append('<select id="set-%s" data-key="%s">%s</select>' % (key, key, opts))
    else:
        mode = "numeric" if s["kind"] == "int" else "decimal"
        out.append('<input id="set-%s" data-key="%s" type="text" inputmode="%s" autocomplete="off" '
                   'spellcheck="false" aria-describedby="msg-%s">' % (key, key, mode, key))
    if tip:
        out.append('<small class="hint">%s</small>' % esc(tip))
    if key == "normal":
        out.append('<small class="hint" id="normal-classes"></small>')
    out.append('<small class="field-msg" id="msg-%s" role="alert"></small></div>' % key)
    return "".join(out)


def render_controls(container_id):
    """Build every non-composer control from the settings table (one innerHTML)."""
    html = []
    for group, title in GROUPS:
        rows = [s for s in settings.SETTINGS if s["group"] == group and s["key"] not in COMPOSER_KEYS]
        if not rows:
            continue
        fields = "".join(field(s) for s in rows)
        if group == "advanced":
            html.append('<details class="group" data-group="advanced"><summary>%s: optimizer details, '
                        'early stopping</summary><div class="fields">%s</div></details>' % (title, fields))
        else:
            html.append('<fieldset class="group" data-group="%s"><legend>%s</legend><div class="fields">%s'
                        '</div></fieldset>' % (group, title, fields))
    box = el(container_id)
    box.innerHTML = "".join(html)
    # the detectors' settings live in the compare panel (app/ui_compare.py)
    rows = [s for s in settings.SETTINGS if s["group"] == "baselines" and s["key"] != "baselines"]
    el("compare-params").innerHTML = '<div class="fields">%s</div>' % "".join(field(s) for s in rows)


def _set_msg(key, message):
    m = el("msg-" + key)
    c = el("set-" + key)
    if m is not None:
        m.textContent = message
    if c is not None:
        if message:
            c.setAttribute("aria-invalid", "true")
        else:
            c.removeAttribute("aria-invalid")


def read_edit(event):
    """A control's "change" event -> the key of the setting it changed in state["config"], or None
    (not a setting, or refused: the control's message says why)."""
    key = event.target.getAttribute("data-key")
    if not key or key not in settings.BY_KEY:
        return None
    try:
        value = control_text.parse(key, event.target.value)
    except ValueError as e:
        _set_msg(key, "Not applied: " + str(e) + " Still using " + control_text.show(state["config"][key]) + ".")
        return None
    _set_msg(key, "")
    state["config"][key] = value
    update_applicability()
    if key in ("dataset", "window"):  # the input and output width
        render_composer()
    return key


def update_applicability():
    """Grey out controls that do nothing under the current choices."""
    c = state["config"]
    na = {
        "reg_rate": c["regularizer"] == "none",
        "threshold_percentile": c["threshold_rule"] != "percentile",
        "threshold": c["threshold_rule"] != "manual",
        "beta1": c["optimizer"] not in ("adam", "adamax"),
        "beta2": c["optimizer"] not in ("adam", "adamax"),
        "momentum": c["optimizer"] not in ("momentum", "nesterov"),
        "rho": c["optimizer"] not in ("rmsprop", "adadelta"),
        "window": not gallery.is_series(c),
        "stride": not gallery.is_series(c),
    }
    for key, off in na.items():
        for node in _wrappers(key):
            if off:
                node.classList.add("na")
            else:
                node.classList.remove("na")
    _normal_hint(c)


def _normal_hint(config):
    """Which classes the dataset has, beside the "normal" control (user text: shown as text)."""
    hint = el("normal-classes")
    if hint is None:
        return
    d = gallery.BY_KEY.get(config["dataset"])
    if d is None:  # your file: its classes are known once the engine has read it
        a = state["about"]
        d = {"title": gallery.title(config["dataset"]), "classes": a["classes"], "normal": a["normal"]}
    hint.textContent = "%s: %s. Empty: %s." % (d["title"], ", ".join(
        "%s %s" % (row[0], row[1]) for row in d["classes"]), " and ".join(str(k) for k in d["normal"]))


def _wrappers(key):
    return document.querySelectorAll('.field[data-setting="%s"]' % key)


def apply_config(config):
    """Show `config` (a validated dict) in every control and the composer."""
    state["config"] = config
    for s in settings.SETTINGS:
        key = s["key"]
        if key in COMPOSER_KEYS:
            continue
        c = el("set-" + key)
        if c is None:
            continue
        v = config[key]
        c.value = control_text.show(float(v) if s["kind"] == "float" else v)
        _set_msg(key, "")
    update_applicability()
    render_composer()


# ---- the composer -----------------------------------------------------------------------------

def sizes(config):
    """Every layer's units, input and output being one sample's length (the dataset says it)."""
    return settings.layer_sizes(config, gallery.width(config, state["about"]["length"]))[0]


def _bounds(part):
    """(fewest, most) units of a layer in `part`, and (fewest, most) layers: models/settings.py."""
    s = settings.BY_KEY[part]
    return s["min"], s["max"], s["min_len"], s["max_len"]


def _diagram(cfg):
    """An SVG of the network: one bar per layer, height growing with its units."""
    ls = sizes(cfg)
    n_enc = len(cfg["encoder"])
    step, top, h = 56, 14, 120
    width = step * len(ls)
    parts = []
    ys = []
    for i, n in enumerate(ls):
        bh = max(8, min(h, 8 + (n ** 0.5) * 9))
        ys.append((top + (h - bh) / 2, bh))
    for i in range(len(ls) - 1):
        x0, x1 = i * step + 36, (i + 1) * step + 20
        (ya, ha), (yb, hb) = ys[i], ys[i + 1]
        parts.append('<path class="link" d="M%d %.1fL%d %.1fL%d %.1fL%d %.1fZ"/>'
                     % (x0, ya, x1, yb, x1, yb + hb, x0, ya + ha))
    for i, n in enumerate(ls):
        if i == 0:
            kind, name = "io", "input"
        elif i == len(ls) - 1:
            kind, name = "io", "output"
        elif i == n_enc + 1:
            kind, name = "latent", "bottleneck"
        elif i <= n_enc:
            kind, name = "enc", "enc %d" % i
        else:
            kind, name = "dec", "dec %d" % (i - n_enc - 1)
        y, bh = ys[i]
        x = i * step + 20
        parts.append('<rect class="%s" x="%d" y="%.1f" width="16" height="%.1f" rx="3"><title>%s: %d units</title></rect>'
                     % (kind, x, y, bh, name, n))
        parts.append('<text x="%d" y="%d" class="units">%d</text>' % (x + 8, top + h + 16, n))
        parts.append('<text x="%d" y="%d" class="lname">%s</text>' % (x + 8, top + h + 30, name))
    # its narrowest width goes in a data attribute: render_composer sets it through the CSSOM, since
    # the page's Content-Security-Policy refuses style attributes in markup
    return ('<svg class="net" viewBox="0 0 %d %d" data-min-width="%d" role="img" aria-label="Network shape %s">%s</svg>'
            % (width, top + h + 36, min(width, 36 * len(ls)), settings.shape_text(ls), "".join(parts)))


def _unit_row(part, idx, n, label):
    key = "%s-%d" % (part, idx)
    lo, hi = _bounds(part)[:2]
    return ('<li class="unit-row"><span class="uname" id="lbl-%s">%s</span>'
            '<button type="button" class="mini" data-act="units" data-part="%s" data-idx="%d" data-delta="-1" '
            'data-focus="dn-%s" aria-label="Fewer units in %s">−</button>'
            '<input class="units-in" type="number" min="%d" max="%d" value="%d" data-act="set" data-part="%s" '
            'data-idx="%d" data-focus="in-%s" aria-labelledby="lbl-%s" id="units-%s">'
            '<button type="button" class="mini" data-act="units" data-part="%s" data-idx="%d" data-delta="1" '
            'data-focus="up-%s" aria-label="More units in %s">+</button></li>'
            % (key, label, part, idx, key, label, lo, hi, n, part, idx, key, key, key, part, idx, key, label))


def _layer_list(part, layers, title):
    rows = "".join(_unit_row(part, i, n, "%s layer %d" % (title, i + 1)) for i, n in enumerate(layers))
    fewest, most = _bounds(part)[2:]
    return ('<div class="layer-col" data-setting="%s"><h4>%s</h4><ul class="unit-list">%s</ul><div class="layer-btns">'
            '<button type="button" class="mini wide" data-act="add" data-part="%s" data-focus="add-%s" %s>+ layer</button>'
            '<button type="button" class="mini wide" data-act="del" data-part="%s" data-focus="del-%s" %s>− layer</button>'
            '</div></div>' % (part, title, rows, part, part, "disabled" if len(layers) >= most else "",
                              part, part, "disabled" if len(layers) <= fewest else ""))


def render_composer():
    cfg = state["config"]
    ls = sizes(cfg)
    mirror = not cfg["decoder"]
    latent = _unit_row("latent", 0, cfg["latent"], "Bottleneck")
    dec = ('<div class="layer-col mirror-note" data-setting="decoder"><h4>Decoder</h4><p>Mirrors the encoder: %s.</p></div>'
           % ", ".join(str(n) for n in settings.decoder_layers(cfg))) if mirror else _layer_list(
        "decoder", cfg["decoder"], "Decoder")
    html = ('<div class="net-wrap">%s</div>'
            '<p class="params"><strong id="param-count" data-params="%d">%s parameters</strong> · shape '
            '<span id="shape-text">%s</span></p>'
            '<div class="layer-cols">%s<div class="layer-col" data-setting="latent"><h4>Bottleneck</h4><ul class="unit-list">%s</ul></div>%s</div>'
            '<label class="check" data-setting="decoder"><input type="checkbox" id="set-mirror" data-act="mirror" data-focus="mirror" %s> Decoder mirrors the encoder</label>'
            '<p class="field-msg" id="msg-composer" role="alert"></p>'
            % (_diagram(cfg), settings.param_count(ls), thousands(settings.param_count(ls)), settings.shape_text(ls),
               _layer_list("encoder", cfg["encoder"], "Encoder"), latent, dec, "checked" if mirror else ""))
    box = el("composer-body")
    focus = None
    active = document.activeElement
    if active is not None and box.contains(active):
        focus = active.getAttribute("data-focus")
    box.innerHTML = html
    net = box.querySelector("svg.net")
    net.style.minWidth = net.dataset.minWidth + "px"
    if focus:
        target = box.querySelector('[data-focus="%s"]' % focus)
        if target is not None and not target.disabled:
            target.focus()
        else:
            first = box.querySelector("button:not([disabled])")
            if first is not None:
                first.focus()


def composer_edit(event):
    """A click or change in the composer -> True when it changed the layers in state["config"]."""
    return _composer_event(event) is True


def _composer_event(event):
    t = event.target
    act = t.getAttribute("data-act")
    if not act:
        return
    if event.type == "click" and act == "set":
        return
    if event.type == "change" and act not in ("set", "mirror"):
        return
    cfg = state["config"]
    enc, dec, latent = list(cfg["encoder"]), list(cfg["decoder"]), cfg["latent"]
    part = t.getAttribute("data-part")
    idx = int(t.getAttribute("data-idx") or 0)
    if act == "mirror":
        dec = [] if t.checked else settings.decoder_layers(cfg)
    elif act in ("units", "set"):
        lo, hi = _bounds(part)[:2]
        if act == "set":
            try:
                n = int(float(t.value))
            except ValueError:
                render_composer()
                el("msg-composer").textContent = "Not applied: units must be a whole number from %d to %d." % (lo, hi)
                return
        else:
            cur = latent if part == "latent" else (enc if part == "encoder" else dec)[idx]
            n = cur + int(t.getAttribute("data-delta"))
        if not lo <= n <= hi:
            if act == "set":
                render_composer()  # the box shows the units in use again; the message says why
            el("msg-composer").textContent = ("Not applied: %s %s. The %s takes %d to %d units; it keeps %d."
                                              % (t.value if act == "set" else n, "is out of range",
                                                 "bottleneck" if part == "latent" else "layer", lo, hi,
                                                 latent if part == "latent" else (enc if part == "encoder" else dec)[idx]))
            return
        if part == "latent":
            latent = n
        elif part == "encoder":
            enc[idx] = n
        else:
            dec[idx] = n
    elif act == "add":
        if part == "encoder":
            enc.append(max(latent, enc[-1] // 2 if enc else 8))
        else:
            dec.append(dec[-1] if dec else 8)
    elif act == "del":
        if part == "encoder":
            enc = enc[:-1]
        else:
            dec = dec[:-1]
    new = dict(cfg)
    new["encoder"], new["decoder"], new["latent"] = enc, dec, latent
    try:
        for k in COMPOSER_KEYS:
            new[k] = settings.check_value(k, new[k])
    except ValueError as e:
        el("msg-composer").textContent = str(e)
        return
    state["config"] = new
    render_composer()
    return True
