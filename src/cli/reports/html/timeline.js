// The report's timeline: one row per slot (per worker and slot with --redis), one bar per
// attempt from its start to its end coloured by status, drawn on one canvas (no DOM node per
// bar). Bars thinner than a pixel share their column (the worst status drawn last, so a
// failure is never hidden by passes); hover names a bar, click pins its details.
'use strict';
(function (E) {
  const AXIS = 26;
  const ORDER = [0, 4, 3, 2, 1]; // passed first, failed last: failures stay on top

  E.Timeline = class {
    constructor(data, view, host, details) {
      this.data = data;
      this.bars = data.bars;
      this.view = view;
      this.details = details;
      this.count = this.bars.start.length;
      this.lanes = data.lanes.length;
      this.laneH = Math.max(4, Math.min(24, Math.floor(560 / Math.max(1, this.lanes))));
      this.height = AXIS + this.lanes * this.laneH + 6;
      this.#indexLanes();
      this.canvas = E.el('canvas', { 'aria-label': 'timeline of every slot' });
      host.appendChild(this.canvas);
      this.ctx = this.canvas.getContext('2d');
      this.label = Math.min(240, Math.max(90, this.#widestLabel() + 22));
      this.hatch = this.#hatchPattern();
      this.hover = -1;
      this.drawnAtFit = null;
      view.onChange(() => this.draw());
      E.bindZoom(this.canvas, view, this.label, (event) => this.#pin(this.#hit(event)));
      this.canvas.addEventListener('mousemove', (event) => this.#onMove(event));
      this.canvas.addEventListener('mouseleave', () => {
        this.hover = -1;
        E.hideTip();
        this.draw();
      });
    }

    /** First and end index of each lane's bars (sorted by lane, then start) and its longest bar. */
    #indexLanes() {
      const { lane, start, duration } = this.bars;
      this.first = new Int32Array(this.lanes).fill(0);
      this.end = new Int32Array(this.lanes).fill(0);
      this.longest = new Float64Array(this.lanes);
      this.busy = new Float64Array(this.lanes);
      for (let i = this.count - 1; i >= 0; i--) this.first[lane[i]] = i;
      for (let i = 0; i < this.count; i++) {
        const l = lane[i];
        this.end[l] = i + 1;
        this.longest[l] = Math.max(this.longest[l], duration[i]);
        this.busy[l] += duration[i];
      }
      for (let l = 0; l < this.lanes; l++) if (this.end[l] === 0) this.first[l] = 0;
      this.startOf = start;
    }

    #widestLabel() {
      this.ctx.font = '12px system-ui, sans-serif';
      let widest = 0;
      for (const text of this.data.lanes) widest = Math.max(widest, this.ctx.measureText(text + ' 100%').width);
      return widest;
    }

    #hatchPattern() {
      const tile = document.createElement('canvas');
      tile.width = tile.height = 6;
      const c = tile.getContext('2d');
      c.strokeStyle = 'rgba(255,255,255,0.7)';
      c.lineWidth = 2;
      c.beginPath();
      c.moveTo(0, 6);
      c.lineTo(6, 0);
      c.stroke();
      return this.ctx.createPattern(tile, 'repeat');
    }

    /** Index of the first bar of `lane` that may still be visible at time `from`. */
    #firstVisible(l, from) {
      let lo = this.first[l];
      let hi = this.end[l];
      const target = from - this.longest[l];
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.startOf[mid] < target) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }

    draw() {
      const { ctx, width } = E.fitCanvas(this.canvas, this.height);
      this.ctx = ctx;
      const { from, to } = this.view;
      const plot = width - this.label - 8;
      const x = (t) => this.label + ((t - from) / (to - from)) * plot;
      this.x = x;
      this.plot = plot;
      ctx.clearRect(0, 0, width, this.height);
      this.#drawAxis(ctx, x, width);
      this.#drawLanes(ctx, width);
      const { start, duration, status, attempt, script } = this.bars;
      const tries = this.data.scripts.attempts;
      const barH = Math.max(2, this.laneH - (this.laneH >= 10 ? 4 : 1));
      let drawn = 0;
      ctx.save();
      ctx.beginPath();
      ctx.rect(this.label, 0, plot + 1, this.height);
      ctx.clip();
      const retried = [];
      for (const code of ORDER) {
        ctx.fillStyle = E.COLOR[E.STATUS[code]];
        for (let l = 0; l < this.lanes; l++) {
          const y = AXIS + l * this.laneH + (this.laneH - barH) / 2;
          let lastColumn = -1;
          for (let i = this.#firstVisible(l, from); i < this.end[l] && start[i] <= to; i++) {
            if (status[i] !== code || start[i] + duration[i] < from) continue;
            const x0 = x(start[i]);
            const w = x(start[i] + duration[i]) - x0;
            const column = Math.floor(x0);
            if (w < 1 && column === lastColumn) continue; // shares a pixel with a bar already drawn
            lastColumn = column;
            ctx.fillRect(x0, y, Math.max(1, w - (w > 4 ? 1 : 0)), barH);
            drawn += 1;
            if (attempt[i] < tries[script[i]] || attempt[i] > 1) retried.push(i);
          }
        }
      }
      this.#drawRetries(ctx, retried, barH);
      this.#drawHover(ctx, barH);
      ctx.restore();
      if (from === 0 && to === this.view.span) this.drawnAtFit = drawn;
      this.canvas.dataset.drawn = String(drawn);
    }

    #drawAxis(ctx, x, width) {
      ctx.font = '11px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = '#59636e';
      ctx.strokeStyle = '#e6eaef';
      ctx.lineWidth = 1;
      for (const t of E.ticks(this.view.from, this.view.to, width - this.label, 110)) {
        const px = Math.round(x(t)) + 0.5;
        if (px + ctx.measureText(E.fmtMs(t)).width + 6 > width) continue; // no label cut at the edge
        ctx.beginPath();
        ctx.moveTo(px, AXIS - 4);
        ctx.lineTo(px, this.height);
        ctx.stroke();
        ctx.fillText(E.fmtMs(t), px + 3, AXIS / 2);
      }
    }

    #drawLanes(ctx, width) {
      ctx.font = '12px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      const every = Math.ceil(14 / this.laneH); // a label per lane when there is room
      for (let l = 0; l < this.lanes; l++) {
        const y = AXIS + l * this.laneH;
        ctx.fillStyle = l % 2 === 0 ? '#eef1f4' : '#e7ebef'; // idle slot time shows as this grey
        ctx.fillRect(this.label, y, width - this.label - 8, this.laneH - (this.laneH >= 8 ? 1 : 0));
        if (l % every !== 0) continue;
        const share = Math.round((100 * this.busy[l]) / this.view.span);
        ctx.fillStyle = '#1f2328';
        ctx.fillText(this.data.lanes[l], 4, y + this.laneH / 2);
        ctx.fillStyle = '#59636e';
        ctx.textAlign = 'right';
        ctx.fillText(Math.min(100, share) + '%', this.label - 8, y + this.laneH / 2);
        ctx.textAlign = 'left';
      }
    }

    /** Earlier attempts of a retried script are hatched; a retry gets a dark left edge. */
    #drawRetries(ctx, retried, barH) {
      const { start, duration, lane, attempt, script } = this.bars;
      for (const i of retried) {
        const y = AXIS + lane[i] * this.laneH + (this.laneH - barH) / 2;
        const x0 = this.x(start[i]);
        const w = Math.max(1, this.x(start[i] + duration[i]) - x0);
        if (attempt[i] < this.data.scripts.attempts[script[i]]) {
          ctx.fillStyle = this.hatch;
          ctx.fillRect(x0, y, w, barH);
        }
        if (attempt[i] > 1) {
          ctx.fillStyle = '#1f2328';
          ctx.fillRect(x0, y, Math.min(3, w), barH);
        }
      }
    }

    /** Outlines every attempt of the script under the mouse. */
    #drawHover(ctx, barH) {
      if (this.hover < 0) return;
      const { start, duration, lane, script } = this.bars;
      const s = script[this.hover];
      ctx.strokeStyle = '#0969da';
      ctx.lineWidth = 2;
      for (let i = 0; i < this.count; i++) {
        if (script[i] !== s) continue;
        const y = AXIS + lane[i] * this.laneH + (this.laneH - barH) / 2;
        const x0 = this.x(start[i]);
        ctx.strokeRect(x0 - 1, y - 1, Math.max(1, this.x(start[i] + duration[i]) - x0) + 2, barH + 2);
      }
    }

    /** [x, y] in CSS px of bar i's middle at the current view, or null when there is no bar i. */
    barCenter(i) {
      if (i >= this.count) return null;
      const { start, duration, lane } = this.bars;
      const x = this.x(start[i] + duration[i] / 2);
      return [Math.round(x), Math.round(AXIS + lane[i] * this.laneH + this.laneH / 2)];
    }

    /** The bar under the mouse (within 3 px), or -1. */
    #hit(event) {
      const l = Math.floor((event.offsetY - AXIS) / this.laneH);
      if (l < 0 || l >= this.lanes || event.offsetX < this.label) return -1;
      const msPerPx = (this.view.to - this.view.from) / Math.max(1, this.plot);
      const t = this.view.from + (event.offsetX - this.label) * msPerPx;
      const slack = 3 * msPerPx;
      const { start, duration } = this.bars;
      let best = -1;
      let bestDistance = Infinity;
      for (let i = this.#firstVisible(l, t - slack); i < this.end[l] && start[i] <= t + slack; i++) {
        const distance = t < start[i] ? start[i] - t : Math.max(0, t - start[i] - duration[i]);
        if (distance <= slack && distance < bestDistance) [best, bestDistance] = [i, distance];
      }
      return best;
    }

    #onMove(event) {
      const i = this.#hit(event);
      if (i !== this.hover) {
        this.hover = i;
        this.draw();
      }
      if (i < 0) return E.hideTip();
      E.showTip(event, this.#name(i), this.#rows(i));
    }

    #name(i) {
      return this.data.strings[this.data.scripts.name[this.bars.script[i]]];
    }

    #rows(i) {
      const b = this.bars;
      const status = E.STATUS[b.status[i]];
      const tries = this.data.scripts.attempts[b.script[i]];
      const rows = [
        ['status', E.STATUS_WORD[status], E.COLOR[status]],
        ['duration', E.fmtMs(b.duration[i])],
        ['peak tree memory', E.fmtKb(b.peakKb[i])],
      ];
      if (tries > 1) rows.push(['attempt', b.attempt[i] + ' of ' + tries]);
      rows.push(['slot', this.data.lanes[b.lane[i]]]);
      rows.push(['started', '+' + E.fmtMs(b.start[i])]);
      if (status !== 'passed') rows.push(['why', this.data.strings[b.reason[i]]]);
      return rows;
    }

    #pin(i) {
      if (i < 0) return;
      const dl = E.el('dl');
      for (const [label, value] of [['script', this.#name(i)], ...this.#rows(i)]) {
        dl.appendChild(E.el('dt', { text: label }));
        dl.appendChild(E.el('dd', { text: value }));
      }
      const failure = document.getElementById('failure-' + this.bars.script[i]);
      const children = [dl];
      if (failure) {
        const link = E.el('a', { href: '#failure-' + this.bars.script[i], text: 'show its output' });
        link.addEventListener('click', () => (failure.open = true));
        children.push(E.el('div', { style: 'margin-top:6px' }, [link]));
      }
      this.details.replaceChildren(...children);
    }
  };
})(globalThis.Ergate);
