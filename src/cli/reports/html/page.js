// The report page's entry (inlined last): reads the run's data from #ergate-data and builds
// the page: the verdict and counts coloured by status, the timeline and the memory chart
// (sharing one zoomable View), then the lists: slowest, failures with their output tails,
// flaky scripts, failing tests, leftovers, scripts never started. Marks <body data-ready>.
'use strict';
(function (E) {
  const began = performance.now();
  const data = JSON.parse(document.getElementById('ergate-data').textContent);
  const app = document.getElementById('app');
  const el = E.el;
  const nameOf = (script) => data.strings[data.scripts.name[script]];
  const c = data.counts;
  const failed = c.failed + c.error;
  const skipped = Math.max(0, c.total - c.passed - failed - c.timeout);

  function verdict() {
    if (data.interrupted) return ['interrupted', 'bg-cancelled'];
    if (data.halted) return ['halted', 'bg-failed'];
    return data.success ? ['passed', 'bg-passed'] : ['failed', 'bg-failed'];
  }

  function header() {
    const [word, color] = verdict();
    app.appendChild(
      el('h1', {}, [
        el('span', { text: 'ergate run' }),
        el('span', { class: 'pill ' + color, text: word.toUpperCase(), 'data-verdict': word }),
      ]),
    );
    const when = new Date(data.startTime);
    // With --redis the slots are the workers' (the rows), not the coordinator's --jobs.
    const slots = data.workers > 0 || data.jobs === null ? data.lanes.length : data.jobs;
    const where = E.fmtInt(c.total) + ' scripts on ' + slots + ' slot' + (slots === 1 ? '' : 's');
    const parts = [
      'started ' + (Number.isNaN(when.getTime()) ? data.startTime : when.toLocaleString()),
      'took ' + E.fmtMs(data.durationMs),
      data.workers > 0 ? where + ' of ' + data.workers + ' worker' + (data.workers === 1 ? '' : 's') : where,
    ];
    if (data.memoryBudgetMb !== null) parts.push('memory budget ' + E.fmtKb(data.memoryBudgetMb * 1024));
    app.appendChild(el('p', { class: 'sub', text: parts.join(' · ') }));
    if (data.halted) app.appendChild(el('div', { class: 'banner', text: 'Stopped early: ' + data.halted }));
    if (data.interrupted) app.appendChild(el('div', { class: 'banner', text: 'Interrupted (SIGINT or SIGTERM)' }));
  }

  function card(key, label, value, cls, note) {
    return el('div', { class: 'card ' + cls + (value === 0 ? ' zero' : ''), 'data-count': key }, [
      el('div', { class: 'value', text: typeof value === 'number' ? E.fmtInt(value) : value }),
      el('div', { class: 'label', text: label }),
      note ? el('div', { class: 'note', text: note }) : null,
    ]);
  }

  function summary() {
    const peak = data.memory ? E.fmtKb(data.memory.peakTotalKb) : '–';
    const skippedNote = [
      c.cancelled ? c.cancelled + ' cancelled' : '',
      c.notStarted ? c.notStarted + ' not started' : '',
    ]
      .filter(Boolean)
      .join(', ');
    app.appendChild(
      el('div', { class: 'cards' }, [
        card('total', 'scripts', c.total, ''),
        card('passed', 'passed', c.passed, 'passed'),
        card('failed', 'failed', failed, 'failed', c.error ? c.error + ' error' + (c.error === 1 ? '' : 's') : ''),
        card('timeout', 'timed out', c.timeout, 'timeout'),
        card('skipped', 'skipped', skipped, 'skipped', skippedNote),
        card('flaky', 'flaky', c.flaky, 'flaky', 'passed on a retry'),
        card('attempts', 'attempts', c.attempts, ''),
        card('duration', 'duration', E.fmtMs(data.durationMs).replace(' min ', 'm ').replace(' h ', 'h '), ''),
        card('peak', 'peak memory', peak, ''),
      ]),
    );
  }

  function panel(id, title, count, children) {
    const h = el('h2', {}, [el('span', { text: title })]);
    if (count !== null) h.appendChild(el('span', { class: 'count', text: E.fmtInt(count) }));
    return el('section', { class: 'panel', id }, [h, ...children]);
  }

  function legendItem(color, text, cls) {
    return el('span', {}, [
      el('span', { class: 'swatch ' + (cls || ''), style: 'background:' + color }),
      el('span', { text }),
    ]);
  }

  function charts(view) {
    const legend = el('span', { class: 'legend' }, [
      ...E.STATUS.map((s) => legendItem(E.COLOR[s], E.STATUS_WORD[s])),
      legendItem('#8c959f', 'retried attempt', 'retried'),
      legendItem('#e7ebef', 'idle'),
    ]);
    const button = (text, title, fn) => {
      const b = el('button', { text, title, type: 'button' });
      b.addEventListener('click', fn);
      return b;
    };
    const toolbar = el('div', { class: 'toolbar' }, [
      legend,
      el('span', { class: 'spacer' }),
      el('span', { text: 'wheel: zoom · drag: pan · double-click: fit' }),
      button('−', 'zoom out', () => view.zoom(1.6, 0.5)),
      button('+', 'zoom in', () => view.zoom(1 / 1.6, 0.5)),
      button('fit', 'whole run', () => view.fit()),
    ]);
    const host = el('div', { class: 'chart', id: 'timeline', 'data-bars': data.bars.start.length });
    const details = el('div', { class: 'details', text: 'Click a bar to pin its details here.' });
    app.appendChild(panel('timeline-panel', 'Timeline', null, [toolbar, host, details]));
    const timeline = new E.Timeline(data, view, host, details);
    let memory = null;
    if (data.memory) {
      const memLegend = el('div', { class: 'toolbar' }, [el('span', { class: 'legend' })]);
      const memHost = el('div', { class: 'chart', id: 'memory' });
      app.appendChild(panel('memory-panel', 'Memory over time', null, [memHost, memLegend]));
      memory = new E.MemoryChart(data, view, memHost, memLegend.firstChild);
    } else {
      app.appendChild(
        panel('memory-panel', 'Memory over time', null, [
          el('p', {
            class: 'empty',
            text: 'No memory samples in this run (scripts ended before the first sample, --sample 0, or they ran on ergate workers).',
          }),
        ]),
      );
    }
    const redraw = () => {
      timeline.draw();
      if (memory) memory.draw();
    };
    redraw();
    window.addEventListener('resize', redraw);
    return timeline;
  }

  function table(columns, rows) {
    const head = el(
      'tr',
      {},
      columns.map(([label, cls]) => el('th', { class: cls, text: label })),
    );
    const body = rows.map((cells) =>
      el(
        'tr',
        {},
        cells.map(([text, cls], i) => el('td', { class: cls || columns[i][1], text })),
      ),
    );
    return el('table', {}, [el('thead', {}, [head]), el('tbody', {}, body)]);
  }

  function statusPill(status) {
    return el('span', { class: 'pill small bg-' + status, text: E.STATUS_WORD[status] || status });
  }

  function slowest() {
    const top = data.slowest.length > 0 ? data.slowest[0].durationMs : 1;
    const rows = data.slowest.map((s) => {
      const tr = el('tr', {}, [
        el('td', { class: 'name', text: nameOf(s.script) }),
        el('td', {}, [statusPill(s.status)]),
        el('td', { class: 'num', text: E.fmtMs(s.durationMs) }),
        el('td', { class: 'num', text: E.fmtKb(s.peakKb) }),
        el('td', { style: 'width:28%' }, [
          el('div', { class: 'meter', style: 'width:' + (100 * s.durationMs) / Math.max(1, top) + '%' }),
        ]),
      ]);
      return tr;
    });
    const head = el(
      'tr',
      {},
      ['script', 'status', 'duration', 'peak memory', ''].map((t, i) =>
        el('th', { class: i > 1 && i < 4 ? 'num' : '', text: t }),
      ),
    );
    return panel('slowest', 'Slowest scripts', data.slowest.length, [
      el('table', {}, [el('thead', {}, [head]), el('tbody', {}, rows)]),
    ]);
  }

  function failures() {
    const items = data.failures.map((f) => {
      const body = el('div', { class: 'body' });
      if (f.stderr)
        body.append(
          el('div', { class: 'stream', text: 'stderr (last lines)' }),
          el('pre', { class: 'stderr', text: f.stderr }),
        );
      if (f.stdout)
        body.append(el('div', { class: 'stream', text: 'stdout (last lines)' }), el('pre', { text: f.stdout }));
      if (!f.stderr && !f.stdout) body.append(el('p', { class: 'empty', text: 'No output.' }));
      const tries = f.attempts > 1 ? ' · ' + f.attempts + ' attempts' : '';
      return el('details', { class: 'failure ' + f.status, id: 'failure-' + f.script }, [
        el('summary', {}, [
          statusPill(f.status),
          el('span', { class: 'name', text: nameOf(f.script) }),
          el('span', { class: 'reason', text: f.reason }),
          el('span', { class: 'dim', text: E.fmtMs(f.durationMs) + tries }),
        ]),
        body,
      ]);
    });
    if (items.length > 0 && items.length <= 3) items.forEach((d) => (d.open = true));
    const more =
      data.moreFailures > 0
        ? el('p', { class: 'more', text: data.moreFailures + ' more failures: see the JSON report.' })
        : null;
    const empty = items.length === 0 ? el('p', { class: 'empty', text: 'No failures.' }) : null;
    return panel('failures', 'Failures', data.failures.length + data.moreFailures, [...items, more, empty]);
  }

  function listPanel(id, title, count, columns, rows, more, emptyText) {
    const children = rows.length > 0 ? [table(columns, rows)] : [el('p', { class: 'empty', text: emptyText })];
    if (more > 0) children.push(el('p', { class: 'more', text: more + ' more: see the JSON report.' }));
    return panel(id, title, count, children);
  }

  function lists() {
    const grid = el('div', { class: 'grid2' }, [slowest(), flaky()]);
    app.appendChild(grid);
    app.appendChild(el('div', { style: 'height:16px' }));
    app.appendChild(failures());
    if (data.tests.length > 0)
      app.appendChild(
        listPanel(
          'tests',
          'Failing tests',
          data.tests.length + data.moreTests,
          [
            ['test', 'name'],
            ['status', ''],
            ['duration', 'num'],
            ['message', ''],
          ],
          data.tests.map((t) => [
            [t.id],
            [t.status],
            [t.durationMs === null ? '–' : E.fmtMs(t.durationMs)],
            [t.message],
          ]),
          data.moreTests,
          '',
        ),
      );
    app.appendChild(
      listPanel(
        'leftovers',
        'Left behind (killed by ergate after the script ended)',
        data.leftovers.length + data.moreLeftovers,
        [
          ['script', 'name'],
          ['pid', 'num'],
          ['command', 'name'],
        ],
        data.leftovers.map((l) => [[nameOf(l.script)], [String(l.pid)], [l.command]]),
        data.moreLeftovers,
        'No script left a process behind.',
      ),
    );
    if (data.notStarted.length > 0)
      app.appendChild(
        listPanel(
          'not-started',
          'Never started',
          c.notStarted,
          [['script', 'name']],
          data.notStarted.map((s) => [[s]]),
          data.moreNotStarted,
          '',
        ),
      );
    app.appendChild(
      el('footer', {
        text: 'ergate ' + data.ergateVersion + ' · self-contained report: no network, no external files',
      }),
    );
  }

  function flaky() {
    return listPanel(
      'flaky',
      'Flaky scripts (passed on a retry)',
      c.flaky,
      [
        ['script', 'name'],
        ['attempts', 'num'],
        ['duration', 'num'],
      ],
      data.flaky.map((f) => [[nameOf(f.script)], [String(f.attempts)], [E.fmtMs(f.durationMs)]]),
      Math.max(0, c.flaky - data.flaky.length),
      'No flaky scripts.',
    );
  }

  app.replaceChildren();
  header();
  summary();
  const view = new E.View(data.durationMs);
  const timeline = charts(view);
  lists();
  document.body.dataset.timelineBars = String(data.bars.start.length);
  document.body.dataset.timelineDrawn = String(timeline.drawnAtFit);
  const first = timeline.barCenter(0);
  if (first) [document.body.dataset.firstBarX, document.body.dataset.firstBarY] = first.map(String);
  document.body.dataset.renderMs = String(Math.round(performance.now() - began));
  document.body.dataset.ready = '1';
})(globalThis.Ergate);
