// Vue du coordinateur CPTS : chiffres clés, créneaux par effecteur et par jour, retours en attente, demandes de
// médecin traitant. Le jeton vient de ?token= ou du champ en haut de page.
// the territory shown: ?territory=, else the first one the token serves (GET /api/v1/me), set before anything loads
let TERRITORY = new URLSearchParams(location.search).get('territory') || '36';
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }[c]));
const pct = (x) => x == null ? '—' : (x * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 }) + ' %';
const ORIGINS = { SAS_116117: '116 117', SAMU_15: 'SAMU 15', OSNP: 'OSNP', PHARMACIST: 'Pharmacies', EMERGENCY_DEPT: 'Urgences',
  NURSE: 'Infirmiers', SECRETARIAT: 'Secrétariats' };
const STATUS = { OPEN: 'À traiter', CONTACTED: 'Patient contacté', ASSIGNED: 'Médecin trouvé', CLOSED: 'Clos' };

async function api(method, path, body) {
  const r = await fetch(path, { method, cache: 'no-store', headers: { Authorization: 'Bearer ' + $('token').value,
    ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw json;
  return json;
}

async function figures() {
  const q = `territory=${TERRITORY}&window=30d`;
  const [noshow, indicators, outcomes] = await Promise.all([api('GET', '/api/v1/stats/noshow?' + q),
    api('GET', '/api/v1/stats/indicators?' + q), api('GET', '/api/v1/stats/outcomes?groupBy=origin&' + q)]);
  const all = noshow.rows[0] || {};
  const ind = indicators.rows[0] || {};
  const cards = [['Taux de rendez-vous non honorés', pct(all.noshowRate)], ['Taux de remplissage des créneaux', pct(ind.fillRate)],
    ['Effecteurs participants', ind.participatingEffectors ?? 0], ['Rendez-vous SAS via la CPTS', ind.sasRequestsWithAppointment ?? 0],
    ['Retours attendus', all.awaitingFeedback ?? 0], ['Créneaux libérés puis utilisés', `${ind.releasedThenUsed ?? 0} / ${ind.slotsReleased ?? 0}`]];
  $('figures').innerHTML = cards.map(([label, value]) => `<div><div class="figure">${esc(value)}</div><div class="muted">${esc(label)}</div></div>`).join('');
  const rows = outcomes.rows;
  const max = Math.max(1, ...rows.map(r => r.requests));
  $('origins').innerHTML = rows.map((r, i) => {
    const w = Math.round(r.requests / max * 60);
    return `<text x="0" y="${18 + i * 22}" font-size="13">${esc(ORIGINS[r.key] || r.key)}</text>
      <rect x="120" y="${6 + i * 22}" width="${w}%" height="15" fill="#1d4e89"></rect>
      <text x="${w + 20}%" y="${18 + i * 22}" font-size="13">${r.requests} (dont ${r.SNP_SLOT} RDV)</text>`;
  }).join('') || '<text x="0" y="20">Aucune demande sur la période.</text>';
}

async function planning() {
  const p = await api('GET', `/api/v1/territories/${TERRITORY}/planning?days=7`);
  // a day's noon UTC is the same day in Paris: the heading names it whatever the computer's time zone
  const head = p.days.map(d => `<th>${new Date(d + 'T12:00:00Z').toLocaleDateString('fr-FR', { weekday: 'short', day: 'numeric', timeZone: 'Europe/Paris' })}</th>`).join('');
  const body = p.effectors.filter(e => Object.keys(e.days).length).map(e => `<tr><td>${esc(e.name)}</td>${p.days.map(d => {
    const c = e.days[d];
    return `<td class="day">${c ? `${c.free} / ${c.booked}` : ''}</td>`;
  }).join('')}</tr>`).join('');
  $('planning').innerHTML = `<thead><tr><th>Effecteur</th>${head}</tr></thead><tbody>${body}</tbody>`;
}

async function awaiting() {
  const { appointments } = await api('GET', `/api/v1/appointments?territory=${TERRITORY}&awaitingFeedback=true`);
  $('awaiting').innerHTML = appointments.map(a => `<li>${esc(new Date(a.slot.start).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' }))} — ${esc(a.effector.name || a.effector.id)}</li>`).join('')
    || '<li class="muted">Aucun retour en attente.</li>';
}

async function doctorRequests() {
  const { requests } = await api('GET', `/api/v1/doctor-requests?territory=${TERRITORY}`);
  $('doctor-requests').innerHTML = requests.map(r => `<li data-id="${esc(r.id)}"><strong>${esc(r.patient.initials)}</strong>, ${r.patient.birthYear},
    ${esc(r.patient.commune)} — ${[r.patient.ald && 'ALD', r.patient.over70 && '+70 ans', r.patient.css && 'CSS'].filter(Boolean).join(', ')}
    — tél. ${esc(r.patient.phone)} <span class="muted">(${esc(r.createdBy)})</span> — <em>${esc(STATUS[r.status])}</em>
    ${r.status !== 'CLOSED' ? `<button class="secondary" data-status="CONTACTED">Contacté</button>
      <button class="secondary" data-status="ASSIGNED">Médecin trouvé</button>` : ''}</li>`).join('')
    || '<li class="muted">Aucune demande.</li>';
}

$('doctor-requests').addEventListener('click', async (e) => {
  const status = e.target.dataset.status;
  const li = e.target.closest('li');
  if (!status || !li) return;
  try {
    await api('POST', `/api/v1/doctor-requests/${li.dataset.id}/status`, { status });
    $('notice').textContent = 'Suivi enregistré.'; $('notice').className = 'notice ok';
    doctorRequests();
  } catch (err) { $('notice').textContent = 'Le suivi n\'a pas pu être enregistré.'; $('notice').className = 'notice err'; }
});

async function load() {
  if (!$('token').value) return;
  if (!new URLSearchParams(location.search).get('territory')) {
    try { TERRITORY = (await api('GET', '/api/v1/me')).territories[0] || TERRITORY; } catch (err) { /* keep the default */ }
  }
  for (const part of [figures, planning, awaiting, doctorRequests]) {
    try { await part(); } catch (err) { /* each part shows what it can */ }
  }
}

$('token').value = new URLSearchParams(location.search).get('token') || '';
$('token').addEventListener('change', load);
load();
setInterval(load, 60000);
