// Vue du coordinateur CPTS : période et CPTS choisies, chiffres clés (avec n/N), rendez-vous sans retour (relancer,
// clore), demandes de médecin traitant, évolution par semaine, demandes par origine, créneaux par effecteur. Chaque
// tableau se télécharge en CSV (séparateur « ; », UTF-8 avec BOM : Excel en français l'ouvre tel quel).
// On appelle l'API avec la session (assets/session.js), ou en démonstration avec le jeton de ?token= ou du champ en
// haut de page.
// the territory shown: ?territory=, else the first one the token serves (GET /api/v1/me), set before anything loads
let TERRITORY = new URLSearchParams(location.search).get('territory') || '36';
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }[c]));
const num = (x, digits = 1) => Number(x).toLocaleString('fr-FR', { maximumFractionDigits: digits });
/** A rate with what it is made of: "12,5 % (3/24)"; "— (0/0)" when there is nothing to divide. */
const rate = (n, of) => of ? `${num(n / of * 100)} % (${n}/${of})` : `— (${n}/${of})`;
const PARIS = { timeZone: 'Europe/Paris' };
const when = (iso) => new Date(iso).toLocaleString('fr-FR', { ...PARIS, weekday: 'short', day: 'numeric', month: 'short',
  hour: '2-digit', minute: '2-digit' });
const hour = (iso) => new Date(iso).toLocaleTimeString('fr-FR', { ...PARIS, hour: '2-digit', minute: '2-digit' });
const day = (date) => new Date(date + 'T12:00:00Z').toLocaleDateString('fr-FR', { ...PARIS, day: 'numeric', month: 'long', year: 'numeric' });
const ORIGINS = { SAS_116117: '116 117', SAMU_15: 'SAMU 15', OSNP: 'OSNP', PHARMACIST: 'Pharmacies', EMERGENCY_DEPT: 'Urgences',
  NURSE: 'Infirmiers', SECRETARIAT: 'Secrétariats' };
const STATUS = { OPEN: 'À traiter', CONTACTED: 'Patient contacté', ASSIGNED: 'Médecin trouvé', CLOSED: 'Clos' };

// the French sentence of every answer code comes from the server's one list (GET /api/v1/codes), never from a copy
const MESSAGES = {};
fetch('/api/v1/codes').then(r => r.json())
  .then(j => Object.entries(j.codes).forEach(([code, c]) => { MESSAGES[code] = c.fr; })).catch(() => {});
const messageOf = (e) => MESSAGES[e.code] || 'La demande n\'a pas abouti. Réessayez dans un instant.';
const say = (id, text, ok) => { const n = $(id); n.textContent = text; n.className = 'notice ' + (ok ? 'ok' : 'err'); };

async function api(method, path, body) {
  const r = await fetch(path, { method, cache: 'no-store', headers: { ...SIGNIN.headers(),
    ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw json.code ? json : { code: 'HTTP_' + r.status };
  return json;
}

// --- what is shown: the period, the CPTS, and the data of each table (for its CSV) -----------------------------------
const state = { me: null, cpts: [], period: null, tables: {} };

/** The query of the chosen period and CPTS, or null (with the reason on screen) when the dates do not make one. */
function choice() {
  const period = $('period').value;
  const field = (id, bad) => { $(id).setAttribute('aria-invalid', String(bad)); return bad; };
  field('from', false); field('to', false); say('choice-error', '');
  let q = `territory=${TERRITORY}`;
  if (period === 'custom') {
    const from = $('from').value, to = $('to').value;
    if (field('from', !from) | field('to', !to)) { say('choice-error', 'Indiquez les deux dates de la période.'); return null; }
    if (field('to', to < from)) { say('choice-error', 'La date de fin est avant la date de début.'); $('to').focus(); return null; }
    if (field('to', (Date.parse(to) - Date.parse(from)) / 86400000 > 365)) {
      say('choice-error', 'Une période compte au plus 366 jours.'); $('to').focus(); return null;
    }
    q += `&from=${from}&to=${to}`;
  } else {
    q += `&period=${period}`;
  }
  if ($('cpts').value) q += `&cpts=${encodeURIComponent($('cpts').value)}`;
  return q;
}

const cptsName = (id) => (state.cpts.find(c => c.id === id) || { name: id }).name;

/** The CPTS shown: the one chosen, a coordinator's own, or null for the whole territory. */
function shownCpts() {
  if ($('cpts').value) return $('cpts').value;
  return state.me && state.me.role === 'coordinator' ? state.me.org : null;
}

// --- CSV ---------------------------------------------------------------------------------------------------------
/** Keeps what a table shows, as rows of cells under French headers, for its "Télécharger (CSV)" button. */
function keep(name, title, headers, rows) { state.tables[name] = { title, headers, rows }; }

function csvCell(v) {
  // numbers as French spreadsheets read them: a decimal comma, no thousands separator
  const s = v == null ? '' : typeof v === 'number' ? String(v).replace('.', ',') : String(v);
  return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function download(name) {
  const t = state.tables[name];
  if (!t) return;
  const text = [t.headers, ...t.rows].map(r => r.map(csvCell).join(';')).join('\r\n') + '\r\n';
  // the BOM tells Excel the file is UTF-8 (accents); ";" is the list separator of French spreadsheets
  const url = URL.createObjectURL(new Blob(['\uFEFF' + text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  const p = state.period ? `-${state.period.from}-${state.period.to}` : '';
  a.href = url;
  a.download = `${t.title}${p}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
document.addEventListener('click', (e) => { if (e.target.dataset && e.target.dataset.csv) download(e.target.dataset.csv); });

/** A table of head cells and body rows (cells are HTML already escaped); numeric columns right-aligned. */
function table(id, heads, rows, numeric = []) {
  const th = heads.map((h, i) => `<th scope="col"${numeric.includes(i) ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  $(id).innerHTML = `<thead><tr>${th}</tr></thead><tbody>${rows.map(r => `<tr${r.attrs || ''}>${r.cells.map((c, i) =>
    `<td${numeric.includes(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`).join('')}</tbody>`;
}

// --- key figures ---------------------------------------------------------------------------------------------------
async function figures(q) {
  const [noshow, indicators] = await Promise.all([api('GET', '/api/v1/stats/noshow?' + q), api('GET', '/api/v1/stats/indicators?' + q)]);
  state.period = { from: noshow.from, to: noshow.to };
  const scope = shownCpts();
  $('period-text').textContent = `Du ${day(noshow.from)} au ${day(noshow.to)} — ${scope ? cptsName(scope) : 'tout le territoire'}.`;
  const all = noshow.rows[0] || {};
  const ind = indicators.rows[0] || {};
  const answered = (all.fulfilled ?? 0) + (all.noshow ?? 0);
  // the SAS figures and the released slots are kept for the territory only, not per CPTS
  const territoryOnly = ' (suivi pour tout le territoire)';
  // [label, shown, value, n, N]: what the card says, and what the CSV keeps
  const cards = [
    ['Rendez-vous non honorés (patients absents sur rendez-vous renseignés)', rate(all.noshow ?? 0, answered), null, all.noshow ?? 0, answered],
    ['Taux de remplissage des créneaux (pris sur offerts)', rate(ind.slotsFilled ?? 0, ind.slotsOffered ?? 0), null, ind.slotsFilled ?? 0, ind.slotsOffered ?? 0],
    ['Effecteurs participants (au moins un créneau offert)', `${ind.participatingEffectors ?? 0} sur ${ind.effectors ?? 0}`, null,
      ind.participatingEffectors ?? 0, ind.effectors ?? 0],
    ['Demandes SAS terminées par un rendez-vous' + (ind.sasRequestsWithAppointment == null ? territoryOnly : ''),
      ind.sasRequestsWithAppointment ?? '—', ind.sasRequestsWithAppointment, null, null],
    ['Retours attendus des médecins', all.awaitingFeedback ?? 0, all.awaitingFeedback ?? 0, null, null],
    ['Rendez-vous clos sans retour', all.closedWithoutFeedback ?? 0, all.closedWithoutFeedback ?? 0, null, null],
    ['Patients pris en plus des créneaux (surnuméraires, sur rendez-vous pris)', `${all.supernumerary ?? 0} sur ${all.booked ?? 0}`, null,
      all.supernumerary ?? 0, all.booked ?? 0],
    ['Créneaux libérés puis utilisés' + (ind.slotsReleased == null ? territoryOnly : ''),
      ind.slotsReleased == null ? '—' : rate(ind.releasedThenUsed ?? 0, ind.slotsReleased), null, ind.releasedThenUsed, ind.slotsReleased]];
  $('figures').innerHTML = cards.map(([label, shown]) => `<div><div class="figure">${esc(shown)}</div><div class="muted">${esc(label)}</div></div>`).join('');
  keep('figures', 'chiffres-cles', ['Indicateur', 'Valeur', 'Taux (%)', 'n', 'N'], cards.map(([label, , value, n, of]) =>
    [label, value ?? '', n != null && of ? Math.round(n / of * 1000) / 10 : '', n ?? '', of ?? '']));
}

// --- trend by ISO week -----------------------------------------------------------------------------------------------
async function trend(q) {
  const { rows } = await api('GET', '/api/v1/stats/weekly?' + q);
  const weekOf = (r) => `${r.key.replace(/^(\d{4})-W0?(\d+)$/, 'S$2 $1')}`;
  const span = (r) => `${new Date(r.from + 'T12:00:00Z').toLocaleDateString('fr-FR', { ...PARIS, day: 'numeric', month: 'short' })} – `
    + new Date(r.to + 'T12:00:00Z').toLocaleDateString('fr-FR', { ...PARIS, day: 'numeric', month: 'short' });
  table('trend', ['Semaine', 'Demandes (territoire)', 'Rendez-vous pris', 'Honorés', 'Non honorés', 'Annulés', 'Clos sans retour',
    'Taux de non-venue (n/N)'], rows.map(r => ({ cells: [`${esc(weekOf(r))} <span class="muted">(${esc(span(r))})</span>`,
    r.requests, r.booked, r.fulfilled, r.noshow, r.cancelled, r.closedWithoutFeedback, esc(rate(r.noshow, r.fulfilled + r.noshow))] })),
  [1, 2, 3, 4, 5, 6, 7]);
  keep('trend', 'evolution-par-semaine', ['Semaine', 'Du', 'Au', 'Demandes (territoire)', 'Rendez-vous pris', 'Honorés', 'Non honorés',
    'Annulés', 'Clos sans retour', 'Taux de non-venue (%)', 'n', 'N'], rows.map(r => [weekOf(r), r.from, r.to, r.requests, r.booked,
    r.fulfilled, r.noshow, r.cancelled, r.closedWithoutFeedback, r.fulfilled + r.noshow ? Math.round(r.noshow / (r.fulfilled + r.noshow) * 1000) / 10 : '',
    r.noshow, r.fulfilled + r.noshow]));
  // three bars a week, on one scale; the table above says the same in figures (the chart is hidden from screen readers)
  const max = Math.max(1, ...rows.flatMap(r => [r.requests, r.booked, r.noshow]));
  const w = Math.max(600, rows.length * 48), h = 150, band = w / Math.max(1, rows.length), bar = Math.min(12, band / 4);
  $('trend-chart').setAttribute('viewBox', `0 0 ${w} ${h + 20}`);
  $('trend-chart').innerHTML = rows.map((r, i) => [[r.requests, '#5f6b7a'], [r.booked, '#1d4e89'], [r.noshow, '#b3261e']]
    .map(([v, color], k) => `<rect x="${(i * band + band / 2 - 1.5 * bar + k * bar).toFixed(1)}" y="${(h - v / max * h).toFixed(1)}"
      width="${bar.toFixed(1)}" height="${(v / max * h).toFixed(1)}" fill="${color}"></rect>`).join('')
    + `<text x="${(i * band + band / 2).toFixed(1)}" y="${h + 15}" font-size="11" text-anchor="middle">${esc(weekOf(r).split(' ')[0])}</text>`).join('');
}

// --- requests by origin (kept for the territory, never per CPTS) ----------------------------------------------------
async function origins(q) {
  const territoryOnly = q.replace(/&cpts=[^&]*/, '');
  const { rows } = await api('GET', '/api/v1/stats/outcomes?groupBy=origin&' + territoryOnly);
  const max = Math.max(1, ...rows.map(r => r.requests));
  table('origins', ['Origine', 'Demandes', 'Terminées par un rendez-vous (n/N)', ''], rows.map(r => ({ cells: [esc(ORIGINS[r.key] || r.key),
    r.requests, esc(rate(r.SNP_SLOT, r.requests)), `<span class="bar" style="width:${Math.round(r.requests / max * 12)}rem" aria-hidden="true"></span>`] })),
  [1, 2]);
  if (!rows.length) $('origins').querySelector('tbody').innerHTML = '<tr><td colspan="4" class="muted">Aucune demande sur la période.</td></tr>';
  keep('origins', 'demandes-par-origine', ['Origine', 'Demandes', 'Terminées par un rendez-vous', 'Taux (%)'], rows.map(r =>
    [ORIGINS[r.key] || r.key, r.requests, r.SNP_SLOT, r.requests ? Math.round(r.SNP_SLOT / r.requests * 1000) / 10 : '']));
}

// --- planning ----------------------------------------------------------------------------------------------------------
async function planning() {
  const p = await api('GET', `/api/v1/territories/${TERRITORY}/planning?days=7`);
  const scope = $('cpts').value;
  const shown = p.effectors.filter(e => Object.keys(e.days).length && (!scope || e.cpts.includes(scope)));
  const label = (d) => new Date(d + 'T12:00:00Z').toLocaleDateString('fr-FR', { ...PARIS, weekday: 'short', day: 'numeric' });
  table('planning', ['Effecteur', ...p.days.map(label)], shown.map(e => ({ cells: [esc(e.name), ...p.days.map(d => {
    const c = e.days[d];
    return c ? `${c.free} / ${c.booked}` : '';
  })] })));
  $('planning').querySelectorAll('tbody td:not(:first-child)').forEach(td => { td.className = 'day'; });
  keep('planning', 'creneaux-par-effecteur', ['Effecteur', ...p.days.flatMap(d => [`${d} libres`, `${d} réservés`])],
    shown.map(e => [e.name, ...p.days.flatMap(d => e.days[d] ? [e.days[d].free, e.days[d].booked] : ['', ''])]));
}

// --- appointments awaiting feedback: "Relancer", "Clore" ------------------------------------------------------------
async function awaiting() {
  const { appointments } = await api('GET', `/api/v1/appointments?territory=${TERRITORY}&awaitingFeedback=true`);
  const doctor = (a) => a.effector.name || a.effector.id;
  const reminded = (a) => a.reminder ? `relancé le ${when(a.reminder.at)}` : '—';
  table('awaiting', ['Rendez-vous', 'Médecin', 'Référence', 'Demande de', 'Relance', 'Actions'], appointments.map(a => ({
    attrs: ` data-id="${esc(a.id)}"`,
    cells: [esc(when(a.slot.start)), esc(doctor(a)), esc(a.reference), esc(ORIGINS[a.request.origin] || a.request.origin), esc(reminded(a)),
      `<button type="button" class="secondary" data-act="reminder" aria-label="Relancer ${esc(doctor(a))} pour le rendez-vous du ${esc(when(a.slot.start))}">Relancer</button>
       <button type="button" class="secondary" data-act="close" aria-label="Clore sans retour le rendez-vous du ${esc(when(a.slot.start))} avec ${esc(doctor(a))}">Clore</button>`]
  })));
  $('awaiting').querySelectorAll('tbody td:last-child').forEach(td => { td.className = 'actions'; });
  if (!appointments.length) $('awaiting').querySelector('tbody').innerHTML = '<tr><td colspan="6" class="muted">Aucun retour en attente.</td></tr>';
  keep('awaiting', 'retours-en-attente', ['Rendez-vous', 'Médecin', 'Référence', 'Demande de', 'Dernière relance', 'Nombre de relances'],
    appointments.map(a => [when(a.slot.start), doctor(a), a.reference, ORIGINS[a.request.origin] || a.request.origin,
      a.reminder ? when(a.reminder.at) : '', a.reminder ? a.reminder.count : 0]));
}

$('awaiting').addEventListener('click', async (e) => {
  const act = e.target.dataset.act;
  const tr = e.target.closest('tr');
  if (!act || !tr) return;
  e.target.disabled = true;
  const doctor = tr.cells[1].textContent, at = tr.cells[0].textContent;
  try {
    const a = await api('POST', `/api/v1/appointments/${tr.dataset.id}/${act}`);
    if (act === 'close') say('awaiting-notice', `Rendez-vous du ${at} avec ${doctor} clos sans retour : il est compté à part.`, true);
    else if (a.reminderSent) say('awaiting-notice', `Relance envoyée à ${doctor}.`, true);
    else say('awaiting-notice', `Une relance a déjà été envoyée à ${hour(a.reminder.at)} : la prochaine est possible à partir de ${hour(a.nextReminderFrom)}.`, true);
    await awaiting();
    if (act === 'close') { const q = choice(); if (q) await figures(q).catch(() => {}); }
  } catch (err) {
    say('awaiting-notice', messageOf(err), false);
    e.target.disabled = false;
  }
});

// --- "médecin traitant" requests --------------------------------------------------------------------------------------
async function doctorRequests() {
  const { requests } = await api('GET', `/api/v1/doctor-requests?territory=${TERRITORY}`);
  const open = requests.filter(r => r.status !== 'CLOSED');
  const flags = (p) => [p.ald && 'ALD', p.over70 && '+70 ans', p.css && 'CSS'].filter(Boolean).join(', ');
  const button = (r, status, text, what) => r.status === status ? ''
    : `<button type="button" class="secondary" data-status="${status}" aria-label="${esc(what)} pour ${esc(r.patient.initials)}, ${r.patient.birthYear}">${text}</button>`;
  table('doctor-requests', ['Patient', 'Commune', 'Priorité', 'Téléphone', 'Déposée par', 'Suivi', 'Actions'], open.map(r => ({
    attrs: ` data-id="${esc(r.id)}"`,
    cells: [`<strong>${esc(r.patient.initials)}</strong>, ${r.patient.birthYear}`, esc(r.patient.commune), esc(flags(r.patient)),
      esc(r.patient.phone), esc(r.createdBy), `<em>${esc(STATUS[r.status])}</em>`,
      button(r, 'CONTACTED', 'Contacté', 'Patient contacté') + ' ' + button(r, 'ASSIGNED', 'Médecin trouvé', 'Médecin trouvé')
      + ' ' + button(r, 'CLOSED', 'Clore', 'Clore la demande')]
  })));
  $('doctor-requests').querySelectorAll('tbody td:last-child').forEach(td => { td.className = 'actions'; });
  const closed = requests.length - open.length;
  if (!open.length) {
    $('doctor-requests').querySelector('tbody').innerHTML = `<tr><td colspan="7" class="muted">Aucune demande à suivre${closed ? ` (${closed} close${closed > 1 ? 's' : ''})` : ''}.</td></tr>`;
  }
  // the phone number stays on screen only: a downloaded file would carry it anywhere
  keep('doctors', 'demandes-medecin-traitant', ['Patient', 'Année de naissance', 'Commune', 'Priorité', 'Déposée par', 'Déposée le', 'Suivi'],
    open.map(r => [r.patient.initials, r.patient.birthYear, r.patient.commune, flags(r.patient), r.createdBy, when(r.createdAt), STATUS[r.status]]));
}

$('doctor-requests').addEventListener('click', async (e) => {
  const status = e.target.dataset.status;
  const tr = e.target.closest('tr');
  if (!status || !tr) return;
  try {
    await api('POST', `/api/v1/doctor-requests/${tr.dataset.id}/status`, { status });
    say('notice', status === 'CLOSED' ? 'Demande close.' : 'Suivi enregistré.', true);
    await doctorRequests();
  } catch (err) { say('notice', 'Le suivi n\'a pas pu être enregistré. ' + messageOf(err), false); }
});

// --- loading -----------------------------------------------------------------------------------------------------------
async function who() {
  state.me = await api('GET', '/api/v1/me');
  if (!new URLSearchParams(location.search).get('territory')) TERRITORY = state.me.territories[0] || TERRITORY;
  $('who').textContent = `${state.me.name} — territoire ${TERRITORY}`;
  // the lists of the care flow are the coordinator's; ops sees the figures
  const coordinator = state.me.role === 'coordinator';
  $('s-awaiting').hidden = !coordinator;
  $('s-doctors').hidden = !coordinator;
  state.cpts = (await api('GET', `/api/v1/territories/${TERRITORY}/cpts`)).cpts;
  // a filter only when there is a choice: a coordinator sees its own CPTS, ops every CPTS of the territory
  $('cpts-field').hidden = state.cpts.length < 2;
  if (state.cpts.length >= 2) {
    $('cpts').innerHTML = '<option value="">Toutes les CPTS du territoire</option>'
      + state.cpts.map(c => `<option value="${esc(c.id)}">${esc(c.name)} (${c.effectors} effecteurs)</option>`).join('');
  }
}

/** The figures of the chosen period and CPTS; every part shows what it can. */
async function show() {
  const q = choice();
  if (!q) return;
  for (const part of [figures, trend, origins]) {
    try { await part(q); } catch (err) { say('choice-error', messageOf(err), false); }
  }
  try { await planning(); } catch (err) { /* the figures stand without it */ }
}

async function load() {
  if (!SIGNIN.usable()) return;
  try { await who(); } catch (err) { say('choice-error', messageOf(err), false); return; }
  await show();
  if (!$('s-awaiting').hidden) {
    for (const part of [awaiting, doctorRequests]) {
      try { await part(); } catch (err) { /* each part shows what it can */ }
    }
  }
}

$('period').addEventListener('change', () => {
  const custom = $('period').value === 'custom';
  $('from-field').hidden = !custom;
  $('to-field').hidden = !custom;
  if (!custom) show();
});
$('cpts').addEventListener('change', show);
$('choice').addEventListener('submit', (e) => { e.preventDefault(); show(); });
$('token').addEventListener('change', load);
SIGNIN.ready.then(load);
setInterval(() => { if (!document.querySelector('[aria-invalid="true"]')) load(); }, 60000);
