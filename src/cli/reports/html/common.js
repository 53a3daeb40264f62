// Shared by the report page's scripts (inlined first): status colours, number formatting,
// element building (text only through textContent: nothing from the run becomes markup), the
// one tooltip, and the zoomable view of time the timeline and the memory chart share.
'use strict';
(function (E) {
  E.STATUS = ['passed', 'failed', 'timeout', 'error', 'cancelled'];
  E.COLOR = { passed: '#1f883d', failed: '#cf222e', timeout: '#bc4c00', error: '#8250df', cancelled: '#8c959f' };
  E.STATUS_WORD = { passed: 'passed', failed: 'failed', timeout: 'timed out', error: 'error', cancelled: 'cancelled' };

  E.fmtMs = function (ms) {
    if (ms < 0 || !Number.isFinite(ms)) return '–';
    if (ms < 1000) return Math.round(ms) + ' ms';
    const s = ms / 1000;
    if (s < 60) return (s < 10 ? s.toFixed(2) : s.toFixed(1)) + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min ' + String(Math.round(s - m * 60)).padStart(2, '0') + ' s';
    const h = Math.floor(m / 60);
    return h + ' h ' + String(m - h * 60).padStart(2, '0') + ' min';
  };

  E.fmtKb = function (kb) {
    if (kb === null || kb === undefined || kb < 0) return '–';
    if (kb < 1024) return Math.round(kb) + ' KiB';
    const mb = kb / 1024;
    if (mb < 1024) return (mb < 10 ? mb.toFixed(1) : Math.round(mb)) + ' MiB';
    return (mb / 1024).toFixed(2) + ' GiB';
  };

  E.fmtInt = function (n) {
    return n.toLocaleString('en-US');
  };

  /** el('td', { class: 'num', text: '12' }, [children]) */
  E.el = function (tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'class') node.className = value;
      else if (key === 'style') node.setAttribute('style', value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children || []) if (child) node.appendChild(child);
    return node;
  };

  const tip = document.createElement('div');
  tip.className = 'tip';
  document.body.appendChild(tip);

  /** Shows the tooltip at the mouse with [label, value] rows (a row may carry a colour). */
  E.showTip = function (event, title, rows) {
    tip.replaceChildren();
    tip.appendChild(E.el('div', {}, [E.el('b', { text: title })]));
    for (const [label, value, color] of rows) {
      const line = E.el('div', {}, [E.el('span', { class: 'dim', text: label + ' ' })]);
      const v = E.el('span', { text: value });
      if (color) v.style.color = color;
      line.appendChild(v);
      tip.appendChild(line);
    }
    tip.style.display = 'block';
    const pad = 14;
    const { innerWidth: w, innerHeight: h } = window;
    const r = tip.getBoundingClientRect();
    tip.style.left = Math.min(event.clientX + pad, w - r.width - 4) + 'px';
    tip.style.top = (event.clientY + pad + r.height > h ? event.clientY - r.height - pad : event.clientY + pad) + 'px';
  };

  E.hideTip = function () {
    tip.style.display = 'none';
  };

  /** The time window both charts show; zoom keeps the time under the mouse in place. */
  E.View = class {
    constructor(spanMs) {
      this.span = Math.max(1, spanMs);
      this.from = 0;
      this.to = this.span;
      this.listeners = [];
    }
    onChange(fn) {
      this.listeners.push(fn);
    }
    set(from, to) {
      const minWidth = Math.min(this.span, 5);
      let width = Math.max(minWidth, Math.min(this.span, to - from));
      from = Math.max(0, Math.min(this.span - width, from));
      this.from = from;
      this.to = from + width;
      for (const fn of this.listeners) fn();
    }
    zoom(factor, atFraction) {
      const width = this.to - this.from;
      const at = this.from + width * atFraction;
      const next = width * factor;
      this.set(at - next * atFraction, at + next * (1 - atFraction));
    }
    pan(deltaMs) {
      this.set(this.from + deltaMs, this.to + deltaMs);
    }
    fit() {
      this.set(0, this.span);
    }
  };

  /** Time-axis ticks at 1, 2 or 5 x 10^k ms apart, about one per `pixelsPerTick` pixels. */
  E.ticks = function (from, to, widthPx, pixelsPerTick) {
    const raw = ((to - from) / Math.max(1, widthPx)) * pixelsPerTick;
    const pow = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
    const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) || raw;
    const out = [];
    for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
    return out;
  };

  /** A canvas sized to its box at the screen's pixel ratio; returns its 2D context. */
  E.fitCanvas = function (canvas, cssHeight) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.parentElement.clientWidth;
    canvas.style.height = cssHeight + 'px';
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { ctx, width, height: cssHeight };
  };

  /** Wheel zooms, drag pans, double-click fits, for a chart drawn from `left` px onwards. */
  E.bindZoom = function (canvas, view, left, onClick) {
    let drag = null;
    const fraction = (event, width) => Math.max(0, Math.min(1, (event.offsetX - left) / Math.max(1, width - left)));
    canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const factor = Math.pow(1.0015, event.deltaY);
        view.zoom(factor, fraction(event, canvas.clientWidth));
      },
      { passive: false },
    );
    canvas.addEventListener('pointerdown', (event) => {
      drag = { x: event.clientX, from: view.from, to: view.to, moved: false };
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x;
      if (Math.abs(dx) > 3) drag.moved = true;
      if (!drag.moved) return;
      canvas.classList.add('grabbing');
      const msPerPx = (drag.to - drag.from) / Math.max(1, canvas.clientWidth - left);
      view.set(drag.from - dx * msPerPx, drag.to - dx * msPerPx);
    });
    canvas.addEventListener('pointerup', (event) => {
      const wasClick = drag && !drag.moved;
      drag = null;
      canvas.classList.remove('grabbing');
      if (wasClick && onClick) onClick(event);
    });
    canvas.addEventListener('dblclick', () => view.fit());
  };
})((globalThis.Ergate = globalThis.Ergate || {}));
