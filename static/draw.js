// The drawing pad's pointer handling (mouse, pen, touch). It only records and draws the stroke;
// when the pointer lifts it sends the points (in the pad's viewBox units) to Python as a "stroke"
// event whose detail is JSON text. Turning them into a sample is Python's job.
(() => {
  const pads = {};
  window.drawPad = {
    attach(id) {
      const svg = document.getElementById(id);
      const path = svg.querySelector(".stroke");
      const pad = { pts: [], drawing: false };
      pads[id] = pad;
      const at = (e) => {
        const r = svg.getBoundingClientRect();
        const { width, height } = svg.viewBox.baseVal;
        const x = Math.min(width, Math.max(0, ((e.clientX - r.left) / r.width) * width));
        const y = Math.min(height, Math.max(0, ((e.clientY - r.top) / r.height) * height));
        return [Math.round(x * 100) / 100, Math.round(y * 100) / 100];
      };
      const redraw = () => {
        path.setAttribute("d", pad.pts.length ? "M" + pad.pts.map((p) => p[0] + " " + p[1]).join("L") : "");
      };
      svg.addEventListener("pointerdown", (e) => {
        e.preventDefault();
        svg.setPointerCapture(e.pointerId);
        pad.drawing = true;
        pad.pts = [at(e)];
        redraw();
      });
      svg.addEventListener("pointermove", (e) => {
        if (!pad.drawing) return;
        for (const ev of e.getCoalescedEvents ? e.getCoalescedEvents() : [e]) pad.pts.push(at(ev));
        redraw();
      });
      const end = () => {
        if (!pad.drawing) return;
        pad.drawing = false;
        svg.dispatchEvent(new CustomEvent("stroke", { detail: JSON.stringify(pad.pts) }));
      };
      svg.addEventListener("pointerup", end);
      svg.addEventListener("pointercancel", end);
    },
    clear(id) {
      const pad = pads[id];
      if (pad) pad.pts = [];
      document.getElementById(id).querySelector(".stroke").setAttribute("d", "");
    },
  };
})();
