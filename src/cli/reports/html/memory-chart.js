// The report's memory chart: the sampled tree memory of the running scripts, stacked (the
// highest-peak scripts as their own bands, the rest as one), the --memory-budget line when
// set, and the peak named; it follows the timeline's zoom and pan (one shared View).
'use strict';
(function (E) {
  const PALETTE = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#0a7d91', '#cf222e', '#6e7781'];
  const OTHER = '#afb8c1';
  const LEFT = 64;
  const TOP = 22;
  const HEIGHT = 240;

  E.MemoryChart = class {
    constructor(data, view, host, legend) {
      this.data = data;
      this.memory = data.memory;
      this.view = view;
      this.budgetKb = data.memoryBudgetMb === null ? null : data.memoryBudgetMb * 1024;
      this.colors = this.memory.series.map((s, i) => (s.script < 0 ? OTHER : PALETTE[i % PALETTE.length]));
      this.totals = this.#totals();
      // A budget far above the peak would flatten the chart: it is then named, not drawn.
      const peak = Math.max(this.memory.peakTotalKb, 1);
      this.budgetAbove = this.budgetKb !== null && this.budgetKb > 2.5 * peak;
      this.maxKb = (this.budgetAbove ? peak : Math.max(peak, this.budgetKb || 0)) * 1.18;
      this.canvas = E.el('canvas', { 'aria-label': 'memory over time' });
      host.appendChild(this.canvas);
      this.#legend(legend);
      view.onChange(() => this.draw());
      E.bindZoom(this.canvas, view, LEFT);
      this.canvas.addEventListener('mousemove', (event) => this.#onMove(event));
      this.canvas.addEventListener('mouseleave', () => {
        this.cursor = null;
        E.hideTip();
        this.draw();
      });
    }

    #totals() {
      const steps = this.memory.series.length === 0 ? 0 : this.memory.series[0].values.length;
      const totals = new Float64Array(steps);
      for (const s of this.memory.series) for (let i = 0; i < steps; i++) totals[i] += s.values[i];
      return totals;
    }

    #legend(host) {
      this.memory.series.forEach((s, i) => {
        host.appendChild(
          E.el('span', {}, [
            E.el('span', { class: 'swatch', style: 'background:' + this.colors[i] }),
            E.el('span', { text: s.label + ' (peak ' + E.fmtKb(s.peakKb) + ')' }),
          ]),
        );
      });
    }

    draw() {
      const { ctx, width } = E.fitCanvas(this.canvas, HEIGHT);
      const { from, to } = this.view;
      const plot = width - LEFT - 8;
      const bottom = HEIGHT - 22;
      const x = (t) => LEFT + ((t - from) / (to - from)) * plot;
      const y = (kb) => bottom - (kb / this.maxKb) * (bottom - TOP);
      this.x = x;
      this.plot = plot;
      ctx.clearRect(0, 0, width, HEIGHT);
      this.#grid(ctx, x, y, width, bottom);
      ctx.save();
      ctx.beginPath();
      ctx.rect(LEFT, 0, plot, HEIGHT);
      ctx.clip();
      this.#bands(ctx, x, y, from, to);
      this.#budget(ctx, y, width);
      this.#peak(ctx, x, y);
      if (this.cursor !== null && this.cursor !== undefined) {
        ctx.strokeStyle = 'rgba(31,35,40,0.5)';
        ctx.beginPath();
        ctx.moveTo(Math.round(x(this.cursor)) + 0.5, TOP);
        ctx.lineTo(Math.round(x(this.cursor)) + 0.5, bottom);
        ctx.stroke();
      }
      ctx.restore();
    }

    #grid(ctx, x, y, width, bottom) {
      ctx.font = '11px system-ui, sans-serif';
      ctx.fillStyle = '#59636e';
      ctx.strokeStyle = '#e6eaef';
      ctx.textBaseline = 'middle';
      // Ticks at round KiB, MiB or GiB, whichever the axis is counted in.
      const unit = this.maxKb >= 2 * 1024 * 1024 ? 1024 * 1024 : this.maxKb >= 2048 ? 1024 : 1;
      for (const kb of E.ticks(0, this.maxKb / unit, bottom - TOP, 44).map((v) => v * unit)) {
        const py = Math.round(y(kb)) + 0.5;
        ctx.beginPath();
        ctx.moveTo(LEFT, py);
        ctx.lineTo(width - 8, py);
        ctx.stroke();
        ctx.textAlign = 'right';
        ctx.fillText(kb === 0 ? '0' : E.fmtKb(kb), LEFT - 6, py);
      }
      ctx.textAlign = 'left';
      for (const t of E.ticks(this.view.from, this.view.to, width - LEFT, 110)) {
        if (x(t) + ctx.measureText(E.fmtMs(t)).width + 6 > width) continue; // no label cut at the edge
        ctx.fillText(E.fmtMs(t), x(t) + 3, bottom + 11);
      }
    }

    /** Each band as a step area on top of the bands below it. */
    #bands(ctx, x, y, from, to) {
      const step = this.memory.stepMs;
      const steps = this.totals.length;
      const first = Math.max(0, Math.floor(from / step) - 1);
      const last = Math.min(steps - 1, Math.ceil(to / step) + 1);
      const below = new Float64Array(steps);
      this.memory.series.forEach((series, k) => {
        ctx.fillStyle = this.colors[k];
        ctx.globalAlpha = series.script < 0 ? 0.8 : 0.85;
        ctx.beginPath();
        ctx.moveTo(x(first * step), y(below[first]));
        for (let i = first; i <= last; i++) {
          const top = below[i] + series.values[i];
          ctx.lineTo(x(i * step), y(top));
          ctx.lineTo(x((i + 1) * step), y(top));
        }
        for (let i = last; i >= first; i--) {
          ctx.lineTo(x((i + 1) * step), y(below[i]));
          ctx.lineTo(x(i * step), y(below[i]));
        }
        ctx.closePath();
        ctx.fill();
        for (let i = first; i <= last; i++) below[i] += series.values[i];
      });
      ctx.globalAlpha = 1;
    }

    #budget(ctx, y, width) {
      if (this.budgetKb === null) return;
      ctx.font = '12px system-ui, sans-serif';
      if (this.budgetAbove) {
        ctx.fillStyle = '#cf222e';
        ctx.textAlign = 'right';
        ctx.textBaseline = 'top';
        ctx.fillText(
          '--memory-budget ' +
            E.fmtKb(this.budgetKb) +
            ' (far above: ' +
            Math.round((100 * this.memory.peakTotalKb) / this.budgetKb) +
            '% used at the peak)',
          width - 12,
          4,
        );
        ctx.textAlign = 'left';
        return;
      }
      const py = Math.round(y(this.budgetKb)) + 0.5;
      ctx.strokeStyle = '#cf222e';
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(LEFT, py);
      ctx.lineTo(width - 8, py);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#cf222e';
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      ctx.fillText('--memory-budget ' + E.fmtKb(this.budgetKb), width - 12, py - 3);
      ctx.textAlign = 'left';
    }

    #peak(ctx, x, y) {
      const m = this.memory;
      const px = x(m.peakAtMs + m.stepMs / 2);
      const py = y(m.peakTotalKb);
      ctx.fillStyle = '#1f2328';
      ctx.beginPath();
      ctx.arc(px, py, 3.5, 0, Math.PI * 2);
      ctx.fill();
      const who = m.peakScript >= 0 ? ' · largest: ' + this.#scriptName(m.peakScript) : '';
      const text = 'peak ' + E.fmtKb(m.peakTotalKb) + who;
      ctx.font = '12px system-ui, sans-serif';
      ctx.textBaseline = 'bottom';
      const w = ctx.measureText(text).width;
      const tx = Math.max(LEFT + 4, Math.min(px - w / 2, LEFT + this.plot - w - 4));
      ctx.fillText(text, tx, Math.max(TOP + 12, py - 6));
    }

    #scriptName(script) {
      return this.data.strings[this.data.scripts.name[script]];
    }

    #onMove(event) {
      if (event.offsetX < LEFT) return;
      const t = this.view.from + ((event.offsetX - LEFT) / Math.max(1, this.plot)) * (this.view.to - this.view.from);
      const i = Math.max(0, Math.min(this.totals.length - 1, Math.floor(t / this.memory.stepMs)));
      this.cursor = t;
      this.draw();
      const rows = [['total', E.fmtKb(this.totals[i])]];
      this.memory.series.forEach((s, k) => {
        if (s.values[i] > 0) rows.push([s.label, E.fmtKb(s.values[i]), this.colors[k]]);
      });
      if (this.budgetKb !== null) rows.push(['budget', E.fmtKb(this.budgetKb)]);
      E.showTip(event, 'at +' + E.fmtMs(t), rows);
    }
  };
})(globalThis.Ergate);
