// fraudstream console: plain JavaScript, no build step. Every text goes through textContent (no HTML injection);
// every state-changing request carries the session's CSRF token.
'use strict';
let csrf = null;
let me = null;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function row(cells) { const tr = el('tr'); cells.forEach(c => { const td = el('td'); if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? '' : String(c); tr.appendChild(td); }); return tr; }
function fill(tableId, rows) { const tb = document.querySelector('#' + tableId + ' tbody'); tb.replaceChildren(...rows); }
function dl(id, entries) { const d = document.getElementById(id); d.replaceChildren(); Object.entries(entries || {}).forEach(([k, v]) => { d.appendChild(el('dt', k)); d.appendChild(el('dd', v === null || v === undefined ? '-' : (typeof v === 'object' ? JSON.stringify(v) : v))); }); }
function time(ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }
function money(minor, cur) { return (minor / 100).toFixed(2) + ' ' + cur; }
function num(v, d) { return v === null || v === undefined ? '-' : Number(v).toFixed(d); }

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (method !== 'GET') { opts.headers['X-CSRF-Token'] = csrf; opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body || {}); }
  const r = await fetch(path, opts);
  if (r.status === 401) { location.href = '/login'; throw new Error('signed out'); }
  const text = await r.text();
  let data = {};
  try { data = text ? JSON.parse(text) : {}; } catch (e) { data = { error: text }; }
  if (!r.ok) { const err = new Error(data.error || data.title || ('HTTP ' + r.status)); err.status = r.status; throw err; }
  return data;
}

async function session() {
  me = await api('GET', '/api/me');
  csrf = me.csrf;
  const m = document.getElementById('me');
  if (m) m.textContent = me.id + ' (' + me.role.toLowerCase().replace('_', ' ') + ')';
  const out = document.getElementById('logout');
  if (out) out.onclick = async () => { await api('POST', '/logout'); location.href = '/login'; };
}

// ---- sign in
async function loginPage() {
  const t = await (await fetch('/api/csrf')).json();
  csrf = t.token;
  document.getElementById('login-form').onsubmit = async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/login', { username: document.getElementById('username').value, password: document.getElementById('password').value });
      location.href = '/';
    } catch (err) { document.getElementById('error').textContent = err.message; }
  };
}

// ---- queue
let fresh = new Set();
function filters() {
  const f = new FormData(document.getElementById('filters'));
  const q = new URLSearchParams();
  for (const [k, v] of f.entries()) {
    if (!v) continue;
    if (k === 'from' || k === 'to') q.set(k, String(new Date(v).getTime())); else q.set(k, v);
  }
  return q;
}
async function loadQueue() {
  const data = await api('GET', '/api/alerts?' + filters().toString());
  document.getElementById('counts').textContent = Object.entries(data.counts).map(([k, v]) => k.toLowerCase().replace('_', ' ') + ': ' + v).join(' · ');
  fill('alerts', data.alerts.map(a => {
    const box = el('input'); box.type = 'checkbox'; box.value = a.transactionId; box.className = 'pick';
    box.onclick = e => e.stopPropagation();
    const tr = row([box, time(a.scoredAt), el('span', num(a.score, 3), a.score >= 0.9 ? 'score-high' : ''), a.cardId, a.merchantId, money(a.amountMinor, a.currency), a.modelVersion, a.status.toLowerCase().replace('_', ' '), a.assignee || '']);
    tr.className = 'alert-row' + (fresh.has(a.transactionId) ? ' fresh' : '');
    tr.dataset.tx = a.transactionId;
    tr.onclick = () => { location.href = '/alert?id=' + encodeURIComponent(a.transactionId); };
    return tr;
  }));
}
async function queuePage() {
  document.getElementById('filters').onsubmit = e => { e.preventDefault(); loadQueue(); };
  document.getElementById('bulk-close').onclick = async () => {
    const ids = [...document.querySelectorAll('input.pick:checked')].map(b => b.value);
    if (!ids.length || !confirm('Close ' + ids.length + ' alert(s) as genuine?')) return;
    await api('POST', '/api/alerts/bulk-close', { ids });
    loadQueue();
  };
  if (me.role !== 'ANALYST') document.getElementById('bulk-close').remove();
  await loadQueue();
  const live = document.getElementById('live');
  const es = new EventSource('/api/alerts/stream');
  es.addEventListener('alert', ev => { fresh.add(ev.data); loadQueue(); });
  es.onopen = () => live.classList.remove('off');
  es.onerror = () => live.classList.add('off');
}

// ---- alert detail
async function alertPage() {
  const id = new URLSearchParams(location.search).get('id');
  const d = await api('GET', '/api/alerts/' + encodeURIComponent(id));
  const a = d.alert;
  document.getElementById('tx').textContent = a.transactionId;
  dl('summary', { 'Score': num(a.score, 4), 'Threshold': num(a.threshold, 4), 'Model version': a.modelVersion,
    'Card token': a.cardId, 'Merchant': a.merchantId, 'Amount': money(a.amountMinor, a.currency),
    'Transaction time': time(a.eventTime), 'Scored': time(a.scoredAt), 'Status': a.status, 'Assignee': a.assignee, 'Label': a.label });
  document.getElementById('reasons').replaceChildren(...(d.explanation.reasons || []).map(r => el('li', r)));
  fill('attended', (d.explanation.attended || []).map(t => row([t.transactionId, time(t.eventTime), num(t.weight, 3)])));
  const contributions = d.explanation.contributions || [];
  fill('risk', contributions.filter(c => c.feature.startsWith('pop_')).map(c => row([c.feature, num(c.value, 3), num(c.contribution, 3)])));
  fill('contributions', contributions.map(c => row([c.feature, num(c.value, 3), num(c.contribution, 3)])));
  fill('card-alerts', d.cardAlerts.map(c => row([time(c.scoredAt), c.transactionId, num(c.score, 3), c.merchantId, c.status, c.label || ''])));
  fill('card-labels', d.cardLabels.map(l => row([time(l.labelledAt), l.transactionId, l.label, l.analyst, l.note || ''])));
  const triage = document.getElementById('triage');
  if (me.role !== 'ANALYST' || a.status === 'CLOSED') { triage.remove(); return; }
  const result = document.getElementById('result');
  document.getElementById('assign').onclick = async () => { await api('POST', '/api/alerts/' + encodeURIComponent(id) + '/assign'); location.reload(); };
  const label = async (value) => {
    try {
      await api('POST', '/api/alerts/' + encodeURIComponent(id) + '/label', { label: value, note: document.getElementById('note').value });
      result.textContent = 'Labelled ' + value.toLowerCase() + '; sent to fraud-labels.';
      setTimeout(() => location.reload(), 300);
    } catch (err) { result.textContent = err.message; }
  };
  document.getElementById('label-fraud').onclick = () => label('FRAUD');
  document.getElementById('label-genuine').onclick = () => label('GENUINE');
}

// ---- models
async function modelPage() {
  const m = await api('GET', '/api/model');
  if (!m.configured) document.getElementById('not-configured').textContent = 'No model store configured (console.model.store).';
  const desc = d => d ? d.version + ' (created ' + d.createdAt + ', sha256 ' + d.sha256.slice(0, 12) + '…)' : 'none';
  dl('models', { 'Champion': desc(m.champion), 'Shadow': desc(m.shadow), 'Shadow since': m.shadowSince });
  const c = m.comparison || {};
  dl('comparison', { 'Champion version': c.championVersion, 'Shadow version': c.shadowVersion, 'Paired transactions': c.pairs,
    'Mean |shadow − champion|': num(c.meanAbsDiff, 4), 'Mean champion score': num(c.meanChampionScore, 4), 'Mean shadow score': num(c.meanShadowScore, 4),
    'Decision agreement': c.decisionAgreement === null || c.decisionAgreement === undefined ? '-' : (100 * c.decisionAgreement).toFixed(2) + ' %',
    'Champion alerts': c.championAlerts, 'Shadow alerts': c.shadowAlerts });
  fill('decisions', (m.decisions || []).map(d => row([d.time, d.action, d.version, d.why, JSON.stringify(d.figures || {})])));
  const actions = document.getElementById('model-actions');
  const result = document.getElementById('result');
  if (!m.canChange || !m.configured) { actions.replaceChildren(); return; } // no controls for a role that may not use them
  if (m.shadow) {
    const b = el('button', 'Promote shadow ' + m.shadow.version); b.id = 'promote'; b.type = 'button';
    b.onclick = async () => {
      if (!confirm('Promote ' + m.shadow.version + ' to champion? The job swaps models on the next event.')) return;
      try { await api('POST', '/api/model/promote', { version: m.shadow.version, confirm: 'true' }); location.reload(); } catch (e) { result.textContent = e.message; }
    };
    actions.appendChild(b);
  }
  const r = el('button', m.shadow ? 'Roll back (retire the shadow)' : 'Roll back to the previous champion'); r.id = 'rollback'; r.type = 'button';
  r.onclick = async () => {
    if (!confirm(r.textContent + '?')) return;
    try { const x = await api('POST', '/api/model/rollback', { confirm: 'true' }); result.textContent = x.action + ' ' + x.version; setTimeout(() => location.reload(), 500); } catch (e) { result.textContent = e.message; }
  };
  actions.appendChild(r);
}

// ---- operations
async function opsPage() {
  const load = async () => {
    const o = await api('GET', '/api/ops');
    const g = document.getElementById('grafana');
    g.replaceChildren();
    if (o.grafanaUrl) { const a = el('a', 'Details in Grafana'); a.href = o.grafanaUrl; g.appendChild(a); }
    const rates = {};
    Object.entries(o.recordsPerSecond || {}).forEach(([k, v]) => { rates[k] = v === null ? '(next refresh)' : v.toFixed(1); });
    dl('rates', rates);
    const job = o.job || {};
    dl('latency', job.endToEndLatencyMs || { '': 'no Prometheus endpoint configured (console.prometheus-url)' });
    dl('dead-letters', job.deadLettersByReason || {});
    const lag = {};
    Object.entries(o.consumerLag || {}).forEach(([g2, t]) => Object.entries(t).forEach(([topic, n]) => { lag[g2 + ' / ' + topic] = n; }));
    dl('lag', lag);
    dl('console', Object.assign({}, o.console, { 'rejected by reason': o.rejectedByReason, 'alerts by status': o.alertsByStatus }));
    document.getElementById('errors').textContent = [o.kafkaError, o.prometheusError, o.dbError].filter(x => x).join(' · ');
  };
  await load();
  setInterval(load, 5000);
}

async function auditPage() {
  const entries = await api('GET', '/api/audit');
  fill('audit', entries.map(e => row([e.id, time(e.at), e.actor, e.action, e.target, e.detail])));
}

// ---- rules
async function rulesPage() {
  const result = document.getElementById('result');
  const validation = document.getElementById('validation');
  let candidate = [];
  let status = null;
  const ruleRow = (r, buttons) => row([r.name, r.priority, r.action, el('code', r.expression), r.enabled ? 'yes' : 'no', r.description || '', buttons]);
  const drawCandidate = () => {
    fill('candidate', candidate.map((r, i) => {
      const box = el('span');
      const edit = el('button', 'Edit'); edit.type = 'button';
      edit.onclick = () => {
        document.getElementById('rule-name').value = r.name; document.getElementById('rule-priority').value = r.priority;
        document.getElementById('rule-action').value = r.action; document.getElementById('rule-expression').value = r.expression;
        document.getElementById('rule-description').value = r.description || ''; document.getElementById('rule-enabled').checked = r.enabled;
      };
      const remove = el('button', 'Remove'); remove.type = 'button';
      remove.onclick = () => { candidate.splice(i, 1); drawCandidate(); };
      box.append(edit, ' ', remove);
      return ruleRow(r, box);
    }));
  };
  const load = async () => {
    status = await api('GET', '/api/rules');
    document.getElementById('not-configured').textContent = status.configured ? (status.topicError || '') : status.notConfigured;
    const f = status.inForce;
    dl('in-force', f ? { 'Set': f.name, 'Version': f.version, 'Issued by': f.issuedBy, 'Issued at': time(f.issuedAt),
      'Rules': f.rules.length + ' (' + f.rules.filter(r => r.enabled).length + ' enabled)' } : { 'Set': 'no rule set in force' });
    fill('rules-in-force', (f ? f.rules : []).map(r => {
      let b = '';
      if (status.canChange && r.enabled) {
        b = el('button', 'Disable'); b.type = 'button'; b.className = 'danger disable-rule'; b.dataset.rule = r.name;
        b.onclick = async () => {
          if (!confirm('Disable rule ' + r.name + '? This publishes v' + (f.version + 1) + ' with the rule disabled.')) return;
          try { const x = await api('POST', '/api/rules/disable', { rule: r.name, confirm: 'true' }); result.textContent = 'Published ' + x.name + ' v' + x.version + '.'; await load(); } catch (e) { result.textContent = e.message; }
        };
      }
      return ruleRow(r, b);
    }));
    const actions = document.getElementById('set-actions');
    actions.replaceChildren();
    if (status.canChange && status.configured && f && f.rules.length) {
      const all = el('button', 'Disable every rule'); all.type = 'button'; all.className = 'danger'; all.id = 'disable-all';
      all.onclick = async () => {
        if (!confirm('Publish a newer set without rules?')) return;
        try { const x = await api('POST', '/api/rules/disable', { all: 'true', confirm: 'true' }); result.textContent = 'Published ' + x.name + ' v' + x.version + ' (no rules).'; await load(); } catch (e) { result.textContent = e.message; }
      };
      actions.appendChild(all);
    }
    fill('drafts', status.drafts.map(d => {
      const box = el('span');
      const open = el('button', 'Load'); open.type = 'button';
      open.onclick = async () => { const x = await api('GET', '/api/rules/drafts/' + d.id); candidate = x.set.rules; document.getElementById('set-name').value = x.set.name; drawCandidate(); };
      box.append(open);
      if (status.canChange && status.configured && d.activatedVersion === null) {
        const act = el('button', 'Activate'); act.type = 'button'; act.className = 'danger activate'; act.dataset.draft = d.id;
        act.onclick = async () => {
          if (!confirm('Activate draft ' + d.id + ' (' + d.rules + ' rules)? It is signed and published on the rules topic; the job uses it from the next event.')) return;
          try { const x = await api('POST', '/api/rules/drafts/' + d.id + '/activate', { confirm: 'true' }); result.textContent = 'Activated as ' + x.name + ' v' + x.version + '.'; await load(); } catch (e) { result.textContent = e.message; }
        };
        box.append(' ', act);
      }
      return row([d.id, time(d.createdAt), d.author, d.name, d.rules, d.baseVersion === null ? 'none' : 'v' + d.baseVersion,
        d.activatedVersion === null ? '' : 'v' + d.activatedVersion + ' by ' + d.activatedBy, box]);
    }));
    fill('history', (status.history || []).map(h => row([h.offset, h.name, h.version, h.issuedBy, time(h.issuedAt), h.rules, h.accepted ? 'accepted' : h.refusal])));
    const inputs = document.getElementById('bt-input');
    inputs.replaceChildren(...status.replayInputs.map(p => { const o = el('option', p); o.value = p; return o; }));
    document.getElementById('backtest-form').hidden = !status.backtestAvailable;
    if (!status.backtestAvailable) document.getElementById('bt-state').textContent = 'No backtest here: no replay input configured (console.rules.replay-inputs) or none built in.';
  };
  await load();
  if (status.inForce) { candidate = status.inForce.rules.map(r => Object.assign({}, r)); document.getElementById('set-name').value = status.inForce.name; }
  drawCandidate();
  document.getElementById('rule-form').onsubmit = e => {
    e.preventDefault();
    const r = { name: document.getElementById('rule-name').value.trim(), priority: Number(document.getElementById('rule-priority').value),
      action: document.getElementById('rule-action').value, expression: document.getElementById('rule-expression').value.trim(),
      enabled: document.getElementById('rule-enabled').checked, description: document.getElementById('rule-description').value };
    const i = candidate.findIndex(x => x.name === r.name);
    if (i >= 0) candidate[i] = r; else candidate.push(r);
    drawCandidate();
  };
  document.getElementById('save-draft').onclick = async () => {
    const set = { name: document.getElementById('set-name').value.trim(), rules: candidate };
    try {
      const x = await api('POST', '/api/rules/drafts', { set });
      validation.className = ''; validation.textContent = 'Valid: saved as draft ' + x.id + ' (' + x.rules + ' rules, ' + x.enabled + ' enabled).';
      document.getElementById('bt-draft').value = x.id;
      await load();
    } catch (err) { validation.className = 'error'; validation.textContent = err.message; }
  };
  document.getElementById('backtest-form').onsubmit = async e => {
    e.preventDefault();
    const state = document.getElementById('bt-state');
    try {
      let job = await api('POST', '/api/rules/drafts/' + document.getElementById('bt-draft').value + '/backtest',
        { input: document.getElementById('bt-input').value, from: document.getElementById('bt-from').value, to: document.getElementById('bt-to').value });
      while (job.state === 'QUEUED' || job.state === 'RUNNING') {
        state.textContent = 'Backtest ' + job.state.toLowerCase() + '…';
        await new Promise(res => setTimeout(res, 1000));
        job = await api('GET', '/api/rules/backtests/' + job.id);
      }
      if (job.state === 'FAILED') { state.textContent = 'Backtest failed: ' + job.error; return; }
      state.textContent = 'Backtest of draft ' + job.draftId + ' done.';
      const rep = job.report || {};
      const flat = {};
      Object.entries(rep).forEach(([k, v]) => { if (v === null || typeof v !== 'object') flat[k] = v; });
      dl('bt-report', flat);
      fill('bt-rules', (rep.rules || []).map(r => row([r.name, r.action, r.hits, num(r.hitsPerDay, 2), num(r.precision, 3), num(r.recall, 3)])));
      fill('bt-examples', (rep.examples || []).map(x => row([x.transactionId, x.cardId, time(x.eventTime), x.amount, (x.rules || []).join(', '), num(x.score, 3)])));
    } catch (err) { state.textContent = err.message; }
  };
}

document.addEventListener('DOMContentLoaded', async () => {
  const page = document.body.dataset.page;
  if (page === 'login') return loginPage();
  await session();
  ({ queue: queuePage, alert: alertPage, model: modelPage, ops: opsPage, audit: auditPage, rules: rulesPage })[page]();
});
