// Console du régulateur / OSNP : demande, créneaux classés, carte, mises à jour en direct, option et réservation
// au clavier (P, R), issues de la demande. On appelle l'API avec la session (assets/session.js), ou en démonstration
// avec le jeton de ?token= ou du champ en haut de page.
// the territory shown: ?territory=, else the first one the token serves (GET /api/v1/me), set before anything loads
const QUERY = new URLSearchParams(location.search);
// a slot the regulator chose on the national SAS platform: its link opens the console on it (origin=sas); the
// territory is the slot's (its id starts with it)
const SAS_SLOT = QUERY.get('origin') === 'sas' && /^[A-Za-z0-9-]{4,80}$/.test(QUERY.get('slot') || '') ? QUERY.get('slot') : null;
let TERRITORY = QUERY.get('territory') || (SAS_SLOT ? SAS_SLOT.split('-')[0] : '36');
const $ = (id) => document.getElementById(id);
const state = { request: null, candidates: [], chosen: null, selected: -1, hold: null, mine: new Set(), communes: new Map(), map: [] };

// the French sentence of every answer code comes from the server's one list (GET /api/v1/codes), never from a copy
const MESSAGES = {};
fetch('/api/v1/codes').then(r => r.json())
  .then(j => Object.entries(j.codes).forEach(([code, c]) => { MESSAGES[code] = c.fr; })).catch(() => {});
const say = (text, ok) => { const n = $('notice'); n.textContent = text; n.className = 'notice ' + (ok ? 'ok' : 'err'); };
// the fields an API refusal names, as the forms label them (never a field path on screen): the caller's request,
// the outcome form, the search for an appointment
const FIELDS = { 'patient.initials': 'Initiales', 'patient.birthYear': 'Naissance', 'patient.phone': 'Téléphone',
  'patient.communeInsee': 'Commune', 'need.within': 'Délai', 'need.from': 'Délai', 'need.to': 'Délai', 'need.mode': 'Type',
  'origin': 'Origine', 'pharmacy.name': 'Pharmacie choisie par le patient', 'pharmacy.communeInsee': 'Commune de la pharmacie',
  'withAdvice': 'Avec un conseil médical', 'comment': 'Commentaire', 'reference': 'Référence', 'initials': 'Initiales',
  'phone': 'Téléphone', 'date': 'Jour du rendez-vous' };
const messageOf = (e) => MESSAGES[e.code] || (e.field ? `Vérifiez le champ « ${FIELDS[e.field] || 'indiqué'} ».` : 'La demande n\'a pas abouti.');
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }[c]));
// every time on screen is Paris time, whatever the computer's own time zone
const time = (iso) => new Date(iso).toLocaleString('fr-FR', { weekday: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' });
const clock = (iso) => new Date(iso).toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris' });

async function api(method, path, body, headers = {}) {
  const r = await fetch(path, { method, cache: 'no-store', headers: { ...SIGNIN.headers(),
    ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw json.code ? json : { code: 'HTTP_' + r.status };
  return json;
}

// --- la demande ---------------------------------------------------------------------------------------------------
/** Commune suggestions (the caller's territory first), for the patient's commune and the pharmacy's. */
async function suggestCommunes(e) {
  const q = e.target.value.replace(/\s*\(\d{5}\)\s*$/, '').trim();
  if (q.length < 2) return;
  try {
    const { communes } = await api('GET', '/api/v1/communes?q=' + encodeURIComponent(q));
    communes.forEach(c => state.communes.set(`${c.name} (${c.postalCode})`, c));
    if (communes.length) $('communes').innerHTML = communes.map(c => `<option value="${esc(c.name)} (${c.postalCode})">`).join('');
  } catch (err) { /* keep the list */ }
}
$('request').elements.commune.addEventListener('input', suggestCommunes);
$('outcome-form').elements.pharmacyCommune.addEventListener('input', suggestCommunes);

/** "Déols" and "deols" are the same; "St" is "Saint" (as the server's search has it). */
const fold = (t) => t.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\bst\b/g, 'saint')
  .replace(/\bste\b/g, 'sainte').replace(/[-'’\s]+/g, ' ').trim();

/**
 * The commune typed or chosen: a suggestion ("Déols (36130)"), or a full name that only one commune has (the
 * regulator types while listening and need not pick from the list); null when unknown or ambiguous.
 */
async function communeOf(typed) {
  const text = typed.trim();
  if (state.communes.has(text)) return state.communes.get(text);
  const name = fold(text.replace(/\s*\(\d{5}\)\s*$/, ''));
  if (name.length < 2) return null;
  try {
    const { communes } = await api('GET', '/api/v1/communes?q=' + encodeURIComponent(text.replace(/\s*\(\d{5}\)\s*$/, '')));
    const same = communes.filter(c => fold(c.name) === name);
    return same.length === 1 ? same[0] : null;
  } catch (err) { return null; }
}

/** Files the caller's request from the form (the server ranks slots at once); null when the form is not valid. */
async function fileRequest() {
  const f = $('request').elements;
  const commune = await communeOf(f.commune.value);
  if (!commune) { say(MESSAGES.UNKNOWN_COMMUNE); f.commune.focus(); return null; }
  const need = { within: f.within.value };
  if (f.mode.value) need.mode = f.mode.value;
  return api('POST', '/api/v1/requests', { origin: f.origin.value, limit: 10, need,
    patient: { initials: f.initials.value, birthYear: Number(f.birthYear.value), phone: f.phone.value, communeInsee: commune.insee,
      noRegularDoctor: f.noRegularDoctor.checked, ald: f.ald.checked, over70: f.over70.checked, reducedMobility: f.reducedMobility.checked } });
}

$('request').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const request = await fileRequest();
    if (!request) return;
    state.request = request; state.hold = null;
    if (state.sasSlot) request.candidates = withSasSlot(request.candidates, request);
    state.chosen = request.candidates.length ? request.candidates[0].slotId : null; // the best one, shown selected
    say(request.candidates.length ? '' : 'Aucun créneau ne convient pour l\'instant : vous pouvez mettre l\'appel en liste '
      + 'd\'attente (Alt+W), vous serez prévenu dès qu\'un créneau se libère.', true);
    $('wait').hidden = false;
    show(request.candidates);
    (request.candidates.length ? $('candidates') : $('no-slots')).focus();
  } catch (err) { say(messageOf(err)); }
});

// --- le créneau choisi sur la plateforme SAS ----------------------------------------------------------------------
/** Reads the slot of the SAS link and says which it is; the patient's request is still filed here, then booked on it. */
async function loadSasSlot() {
  if (!SAS_SLOT || !SIGNIN.usable()) return;
  const banner = $('sas-slot');
  try {
    const slot = await api('GET', '/api/v1/slots/' + encodeURIComponent(SAS_SLOT));
    const e = await api('GET', '/api/v1/effectors/' + encodeURIComponent(slot.effectorId));
    const place = (e.locations || []).find(l => l.id === slot.locationId) || null;
    state.sasSlot = { slotId: slot.id, start: slot.start, end: slot.end, mode: slot.mode, fromSas: true,
      effector: { id: e.id, name: e.name }, place: place || { name: '', commune: '' } };
    $('request').elements.origin.value = 'SAS_116117';
    const where = slot.mode === 'VR' ? 'téléconsultation' : slot.mode === 'HH' ? 'visite à domicile'
      : (place ? place.name + ', ' + place.commune : 'cabinet');
    banner.innerHTML = `Créneau choisi sur la plateforme SAS : <strong>${esc(time(slot.start))}</strong> — ${esc(e.name)}, ${esc(where)}.
      ${slot.status === 'free' ? 'Saisissez la demande du patient : ce créneau sera proposé en premier, <kbd>R</kbd> pour le réserver.'
        : '<strong>Il n\'est plus libre</strong> : les autres créneaux qui conviennent seront proposés.'}`;
    if (slot.status !== 'free') state.sasSlot = null;
  } catch (err) {
    banner.textContent = 'Le créneau choisi sur la plateforme SAS n\'est pas disponible ici (' + messageOf(err) + ') : '
      + 'les créneaux qui conviennent seront proposés.';
  }
  banner.hidden = false;
}

/** The SAS slot first in the list (the regulator chose it there), then the ranked ones without it. */
function withSasSlot(candidates, request) {
  const own = candidates.find(c => c.slotId === state.sasSlot.slotId);
  const first = own ? { ...own, fromSas: true } : { ...state.sasSlot,
    distanceKm: state.sasSlot.place.lat ? km(request.patient, state.sasSlot.place) : 0 };
  return [first, ...candidates.filter(c => c.slotId !== first.slotId)];
}

/** Distance in km (equirectangular: exact enough within a département). */
function km(a, b) {
  const r = Math.PI / 180;
  const x = (b.lng - a.lng) * r * Math.cos((a.lat + b.lat) / 2 * r), y = (b.lat - a.lat) * r;
  return Math.round(Math.sqrt(x * x + y * y) * 6371 * 10) / 10;
}

// --- les créneaux -------------------------------------------------------------------------------------------------
function choose(index) {
  state.chosen = state.candidates[index] ? state.candidates[index].slotId : null;
  show(state.candidates);
  const active = $('candidates').getAttribute('aria-activedescendant');
  if (active) $(active).scrollIntoView({ block: 'nearest' });
}

/** Why a slot ranks where it does, in words (the score parts, never a raw score). */
function why(c) {
  const p = c.scoreParts || {};
  const words = [];
  if (c.fromSas) return 'choisi sur la plateforme SAS';
  if (c.mode === 'VR') words.push('sans déplacement'); else if (p.distance >= 0.7) words.push('proche');
  if (p.time >= 0.7) words.push('tôt');
  if (p.fairness >= 0.8) words.push('médecin peu sollicité cette semaine');
  return words.length ? 'recommandé : ' + words.join(', ') : '';
}

function show(candidates) {
  // the regulator's choice is a slot, not a position: a refreshed list keeps it wherever it now ranks, and if that
  // slot is gone nothing is selected, so that a key press never acts on a slot the regulator did not choose
  if ($('sort').value === 'time') candidates = [...candidates].sort((a, b) => new Date(a.start) - new Date(b.start));
  state.candidates = candidates;
  state.selected = state.chosen ? candidates.findIndex(c => c.slotId === state.chosen) : -1;
  const list = $('candidates');
  // a listbox of options, one tab stop: the focus stays on the list and aria-activedescendant names the chosen
  // option (an option's id follows its slot, so a re-rendered list keeps pointing at the same slot)
  list.innerHTML = candidates.map((c, i) => {
    const held = state.hold && state.hold.slotId === c.slotId;
    return `
    <li role="option" id="opt-${esc(c.slotId)}" data-slot="${esc(c.slotId)}" aria-selected="${i === state.selected}"
        class="${i === state.selected ? 'selected' : ''} ${held ? 'held' : ''}">
      <strong>${i + 1}. ${esc(time(c.start))}</strong> — ${esc(c.effector.name)}${held ? ' · <em>option posée</em>' : ''}<br>
      <span class="muted">${esc(c.place.name)}, ${esc(c.place.commune)} · ${c.mode === 'VR' ? 'téléconsultation'
        : c.mode === 'HH' ? 'visite à domicile' : c.distanceKm.toLocaleString('fr-FR') + ' km'}${why(c) ? ' · ' + esc(why(c)) : ''}</span></li>`;
  }).join('');
  if (state.selected >= 0) list.setAttribute('aria-activedescendant', 'opt-' + candidates[state.selected].slotId);
  else list.removeAttribute('aria-activedescendant');
  list.hidden = !candidates.length;
  $('no-slots').hidden = !(state.request && !candidates.length); // a search that found nothing says so
  [...list.querySelectorAll('li[data-slot]')].forEach((li, i) => li.addEventListener('click', () => choose(i)));
  drawMap();
}

async function refresh() {
  if (!state.request) return;
  try {
    const r = await api('GET', '/api/v1/requests/' + state.request.id);
    if (r.status === 'open') show(r.candidates || []);
  } catch (err) { /* keep what is shown */ }
}

const NOTHING_SELECTED = 'Le créneau choisi vient d\'être pris ou n\'est plus proposé : choisissez-en un autre (↑ ↓).';

async function hold() {
  const c = state.candidates[state.selected];
  if (!state.request) return;
  if (!c) return say(NOTHING_SELECTED);
  // ours from the moment we ask: the live event of our own hold can arrive before the HTTP answer
  state.mine.add(c.slotId);
  try {
    const h = await api('POST', `/api/v1/slots/${c.slotId}/hold`, { requestId: state.request.id });
    state.hold = h;
    say(`Option posée sur ${time(c.start)} (${c.effector.name}) jusqu'à ${clock(h.expiresAt)}. R pour réserver.`, true);
    show(state.candidates);
  } catch (err) {
    state.mine.delete(c.slotId);
    say(messageOf(err));
    state.candidates = state.candidates.filter(x => x.slotId !== c.slotId);
    show(state.candidates);
    refresh();
  }
}

async function book() {
  const c = state.candidates[state.selected];
  if (!state.request || state.booking) return; // a second R while the first is on its way does nothing
  if (!c) return say(NOTHING_SELECTED);
  const patientContact = contactOf();
  if (patientContact === false) return;
  state.mine.add(c.slotId);
  state.booking = true;
  try {
    const a = await api('POST', '/api/v1/appointments', { slotId: c.slotId, requestId: state.request.id,
      ...(state.hold && state.hold.slotId === c.slotId ? { holdId: state.hold.holdId } : {}),
      ...(patientContact ? { patientContact } : {}) }, { 'Idempotency-Key': 'console-' + state.request.id });
    booked(a);
  } catch (err) {
    if (!(state.hold && state.hold.slotId === c.slotId)) state.mine.delete(c.slotId);
    say(messageOf(err)); refresh();
  } finally { state.booking = false; }
}

/** The line the regulator reads out once booked; the next caller starts with an empty form. */
function booked(a) {
  // the line the regulator reads out follows the mode: a home visit or a teleconsultation has no address to go to
  const how = a.slot.mode === 'HH' ? `visite à domicile : ${a.effector.name} viendra chez le patient, qui garde son téléphone allumé`
    : a.slot.mode === 'VR' ? `téléconsultation : ${a.effector.name} appellera le patient au numéro donné`
    : `au cabinet : ${a.effector.name}, ${a.place ? a.place.name + ', ' + (a.place.address ? a.place.address + ', ' : '') + a.place.commune : ''}`;
  const told = a.patientMessages && a.patientMessages.channels.length
    ? ' Le patient recevra la confirmation par ' + a.patientMessages.channels.map(ch => ch === 'sms' ? 'SMS' : 'e-mail').join(' et ') + '.' : '';
  say(`Rendez-vous réservé le ${time(a.slot.start)}${a.supernumerary ? ' (en plus des créneaux du médecin)' : ''}, ${how}. `
    + `Référence à donner au patient : ${a.reference}. Le médecin est prévenu.${told}`, true);
  endCall();
}

// --- un patient en plus des créneaux d'un médecin qui l'accepte (surnuméraire : le régulateur seulement) ------------------
async function loadExtra() {
  try {
    const me = await api('GET', '/api/v1/me');
    if (me.role !== 'regulator') return;
    const { effectors } = await api('GET', `/api/v1/effectors?territory=${TERRITORY}`);
    const willing = effectors.filter(e => e.supernumeraryDailyCap > 0);
    if (!willing.length) return;
    $('extra-form').elements.effector.innerHTML = willing.map(e => `<option value="${esc(e.id)}">${esc(e.name)} — `
      + `${esc(e.locations[0].commune)} (jusqu'à ${e.supernumeraryDailyCap} par jour)</option>`).join('');
    $('extra').hidden = false;
  } catch (err) { /* not offered */ }
}

$('extra-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target.elements;
  const patientContact = contactOf();
  if (patientContact === false) return;
  try {
    const request = state.request || await fileRequest();
    if (!request) return;
    state.request = request;
    const a = await api('POST', '/api/v1/appointments/supernumerary', { effectorId: f.effector.value, requestId: request.id,
      start: f.start.value, minutes: Number(f.minutes.value), ...(patientContact ? { patientContact } : {}) },
      { 'Idempotency-Key': 'console-extra-' + request.id });
    e.target.reset();
    $('extra').open = false;
    booked(a);
  } catch (err) { say(messageOf(err)); }
});

// --- un patient rappelle : retrouver son rendez-vous, l'annuler ------------------------------------------------------
// an appointment's status in words (after the doctor's answer: honoured, or the patient did not come)
const STATUS = { booked: 'réservé', cancelled: 'annulé', fulfilled: 'honoré', noshow: 'patient absent' };
$('find').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target.elements;
  if (![f.reference, f.initials, f.phone, f.date].some(x => x.value.trim())) {
    $('found').innerHTML = '<li>Indiquez la référence, ou les initiales, le téléphone et le jour du rendez-vous.</li>';
    return;
  }
  const q = f.reference.value.trim() ? 'reference=' + encodeURIComponent(f.reference.value.trim())
    : `initials=${encodeURIComponent(f.initials.value.trim())}&phone=${encodeURIComponent(f.phone.value)}&date=${encodeURIComponent(f.date.value)}`;
  try {
    const { appointments } = await api('GET', '/api/v1/appointments?' + q);
    $('found').innerHTML = appointments.length ? appointments.map(a => `
      <li data-id="${esc(a.id)}"><strong>${esc(time(a.slot.start))}</strong> — ${esc(a.effector.name || '')}
        · ${esc({ AMB: 'cabinet', HH: 'visite à domicile', VR: 'téléconsultation' }[a.slot.mode] || '')}
        · réf. ${esc(a.reference)} · ${STATUS[a.status] || ''}
        ${a.status === 'booked' ? '<button type="button" class="secondary" data-cancel>Annuler ce rendez-vous</button>' : ''}</li>`).join('')
      : '<li>Aucun rendez-vous trouvé.</li>';
    appointments.filter(a => a.status === 'booked').forEach(showMessages);
  } catch (err) { $('found').innerHTML = `<li>${esc(messageOf(err))}</li>`; }
});

/** What the patient was told about a found appointment (SMS, e-mail: sent, being retried, failed). */
async function showMessages(a) {
  try {
    const { messages } = await api('GET', `/api/v1/appointments/${a.id}/messages`);
    if (!messages.length) return;
    const status = { queued: 'en cours d\'envoi', sent: 'envoyé', retrying: 'nouvel essai en cours', failed: 'non envoyé', skipped: 'non envoyé' };
    const kind = { confirmation: 'confirmation', reminder: 'rappel', cancellation: 'annulation' };
    const li = $('found').querySelector(`li[data-id="${CSS.escape(a.id)}"]`);
    if (li) li.insertAdjacentHTML('beforeend', `<br><span class="muted">Patient prévenu : ${messages.map(m =>
      `${esc(kind[m.kind] || '')} par ${m.channel === 'sms' ? 'SMS' : 'e-mail'} ${esc(status[m.status] || '')}`).join(', ')}</span>`);
  } catch (err) { /* not shown */ }
}

$('found').addEventListener('click', async (e) => {
  const li = e.target.closest('li[data-id]');
  if (!li || !e.target.hasAttribute('data-cancel')) return;
  if (!confirm('Annuler ce rendez-vous ? Le créneau sera rendu aux autres patients.')) return;
  try {
    const a = await api('POST', `/api/v1/appointments/${li.dataset.id}/cancel`, { reason: 'PATIENT' });
    li.innerHTML = `<strong>${esc(time(a.slot.start))}</strong> — annulé${a.slotReleased ? ', le créneau est rendu' : ''}.`;
  } catch (err) { say(messageOf(err)); }
});

// --- un appel, une fiche ---------------------------------------------------------------------------------------------
// Once a request has ended (booked, or closed with an outcome) nothing of that caller stays on screen: the next
// caller's form starts empty, no flag carried over. The line saying how the call ended stays, to be read out.
function clearPatient() {
  const f = $('request').elements;
  ['initials', 'birthYear', 'phone', 'commune', 'sms', 'email'].forEach(n => { f[n].value = ''; });
  ['noRegularDoctor', 'ald', 'over70', 'reducedMobility', 'consent'].forEach(n => { f[n].checked = false; });
  f.within.value = 'PT24H';
  f.mode.value = '';
}

function endCall() {
  state.request = null; state.hold = null; state.chosen = null;
  // the SAS link served this call: the next one starts from the ranked list
  state.sasSlot = null; $('sas-slot').hidden = true;
  $('wait').hidden = true;
  clearPatient();
  show([]);
  loadWaiting(); // a call served or closed leaves the waiting list
}

function newCall() {
  // an option still running is given back: the next caller must not keep a slot the previous one did not take
  if (state.hold) {
    api('DELETE', `/api/v1/slots/${state.hold.slotId}/hold?holdId=${encodeURIComponent(state.hold.holdId)}`).catch(() => {});
  }
  endCall();
  say('', true);
  $('request').elements.initials.focus();
}

$('new-call').addEventListener('click', newCall);
document.addEventListener('keydown', (e) => {
  if (e.altKey && (e.key === 'n' || e.key === 'N')) { newCall(); e.preventDefault(); }
  else if (e.altKey && (e.key === 'w' || e.key === 'W') && state.request) { putOnWaitingList(); e.preventDefault(); }
  else if (e.altKey && (e.key === 'o' || e.key === 'O') && state.offer) { takeOffer(); e.preventDefault(); }
});

$('sort').addEventListener('change', () => show(state.candidates));

// the listbox's keys: ↑ ↓ Home End move the choice (from "nothing selected", ↓ and ↑ both take the first slot)
const MOVES = { ArrowDown: (i) => i + 1, ArrowUp: (i) => Math.max(0, i - 1), Home: () => 0, End: () => Infinity };
$('candidates').addEventListener('keydown', (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey) return; // Alt+N, Ctrl+R (reload) and the like are not the list's
  if (MOVES[e.key]) {
    if (state.candidates.length) choose(Math.min(state.candidates.length - 1, MOVES[e.key](state.selected)));
    e.preventDefault();
  }
  else if (e.key === 'p' || e.key === 'P') { hold(); e.preventDefault(); }
  else if (e.key === 'r' || e.key === 'R') { book(); e.preventDefault(); }
});

// --- issues sans rendez-vous ---------------------------------------------------------------------------------------
// an outcome never needs a slot search first: without a request yet, the form's caller is filed, then closed
async function closeWith(body, label) {
  try {
    const request = state.request || await fileRequest();
    if (!request) return;
    await api('POST', `/api/v1/requests/${request.id}/outcome`, body);
    say('Demande clôturée : ' + label + '.', true);
    endCall();
  } catch (err) { say(messageOf(err)); }
}

$('outcomes').addEventListener('click', (e) => {
  const type = e.target.dataset.outcome;
  if (!type) return;
  if (type === 'PRESCRIPTION' || type === 'OTHER') {
    // a real form: the pharmacy (name, commune, with advice or not), or what "other" was; a comment
    $('outcome-form').hidden = false;
    $('outcome-form').dataset.type = type;
    $('prescription-fields').hidden = type !== 'PRESCRIPTION';
    $('outcome-form').elements[type === 'PRESCRIPTION' ? 'pharmacy' : 'comment'].focus();
    return;
  }
  closeWith({ type }, e.target.textContent);
});

$('outcome-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = e.target.elements;
  const type = e.target.dataset.type;
  const body = { type };
  if (f.comment.value.trim()) body.comment = f.comment.value.trim();
  if (type === 'PRESCRIPTION') {
    if (!f.pharmacy.value.trim()) { say('Indiquez la pharmacie choisie par le patient.'); f.pharmacy.focus(); return; }
    body.pharmacy = { name: f.pharmacy.value.trim() };
    const commune = state.communes.get(f.pharmacyCommune.value.trim());
    if (commune) body.pharmacy.communeInsee = commune.insee;
    if (f.withAdvice.checked) body.withAdvice = true;
  } else if (!body.comment) { say('Précisez l\'issue dans le commentaire.'); f.comment.focus(); return; }
  e.target.reset();
  e.target.hidden = true;
  closeWith(body, type === 'PRESCRIPTION' ? 'ordonnance envoyée à ' + body.pharmacy.name : 'autre');
});
$('outcome-cancel').addEventListener('click', () => { $('outcome-form').reset(); $('outcome-form').hidden = true; });

// --- en direct : un créneau pris ailleurs disparaît aussitôt ------------------------------------------------------------
// EventSource sends no header: a one-time ticket (60 s) opens the feed, so that no credential is ever in an address.
// A used ticket cannot reopen it: on an error the page asks for a new one and resumes after the last event it had.
let live = { source: null, lastId: null, retry: null };
async function connect() {
  if (!SIGNIN.usable()) return;
  if (live.source) live.source.close();
  clearTimeout(live.retry);
  let ticket;
  try {
    ({ ticket } = await api('POST', `/api/v1/live/ticket?territory=${TERRITORY}`));
  } catch (err) {
    $('live').textContent = 'Reconnexion…';
    if (err.code !== 'SESSION_ENDED' && err.code !== 'UNAUTHENTICATED') live.retry = setTimeout(connect, 5000);
    else say(messageOf(err));
    return;
  }
  const resume = live.lastId ? `&lastEventId=${encodeURIComponent(live.lastId)}` : '';
  const source = new EventSource(`/api/v1/live?territory=${TERRITORY}&ticket=${encodeURIComponent(ticket)}${resume}`);
  live.source = source;
  source.addEventListener('ready', (e) => { $('live').textContent = 'En direct'; live.lastId = e.lastEventId || live.lastId; });
  source.addEventListener('slot', (e) => {
    live.lastId = e.lastEventId || live.lastId;
    const ev = JSON.parse(e.data);
    const shown = state.candidates.find(c => c.slotId === ev.slotId);
    if (shown && (ev.status === 'held' || ev.status === 'booked' || ev.status === 'cancelled') && !state.mine.has(ev.slotId)) {
      state.candidates = state.candidates.filter(c => c.slotId !== ev.slotId);
      say(`Le créneau de ${time(shown.start)} (${shown.effector.name}) vient d'être pris par un autre poste.`);
      show(state.candidates);
    } else if (!shown && ev.status === 'free' && state.request) {
      refresh(); // a slot came back (hold expired, cancellation): it may fit this request
    }
  });
  source.addEventListener('waiting', (e) => offer(JSON.parse(e.data)));
  // the server ends the feed when the session or token behind it ends (logout, removal from the roster, revoked or
  // expired token): say so, and do not reconnect, since a new ticket would be refused too
  source.addEventListener('revoked', (e) => {
    source.close();
    live.source = null;
    clearTimeout(live.retry);
    $('live').textContent = 'Hors ligne';
    let refusal = { code: 'CREDENTIAL_REVOKED' };
    try { refusal = JSON.parse(e.data); } catch (notJson) { /* keep the code */ }
    say(messageOf(refusal));
  });
  source.onerror = () => {
    if (live.source !== source) return; // ended on purpose (revoked, or replaced by a newer connection)
    $('live').textContent = 'Reconnexion…';
    source.close();
    live.retry = setTimeout(connect, 2000);
  };
}

// --- prévenir le patient -------------------------------------------------------------------------------------------
/** The patient's contact for the booking; null when none is given, false (and said why) when it cannot be sent. */
function contactOf() {
  const f = $('request').elements;
  const sms = f.sms.value.trim(), email = f.email.value.trim();
  if (!sms && !email) return null;
  if (!f.consent.checked) {
    say('Demandez au patient s\'il accepte d\'être prévenu par SMS ou e-mail, puis cochez son accord (ou videz les champs).');
    f.consent.focus();
    return false;
  }
  return { ...(sms ? { sms } : {}), ...(email ? { email } : {}), consent: true };
}

// --- la liste d'attente : aucun créneau ne convient, l'appel attend qu'un créneau se libère -------------------------------
async function putOnWaitingList() {
  if (!state.request) return;
  try {
    const r = await api('POST', `/api/v1/requests/${state.request.id}/wait`);
    say(`Appel de ${r.patient.initials} en liste d'attente jusqu'à ${time(r.need.to)} : vous serez prévenu dès qu'un créneau convient.`, true);
    endCall();
    loadWaiting();
  } catch (err) { say(messageOf(err)); }
}

async function loadWaiting() {
  try {
    const { waiting } = await api('GET', `/api/v1/waiting?territory=${TERRITORY}`);
    $('waiting').innerHTML = waiting.length ? waiting.map(w => `
      <li data-request="${esc(w.request.id)}"><strong>${esc(w.request.patient.initials)}</strong>
        (${esc(w.request.patient.birthYear)}, ${esc(w.request.patient.commune)}) · jusqu'à ${esc(time(w.until))}
        · ${w.fits.length ? `<strong>${w.fits.length} créneau${w.fits.length > 1 ? 'x' : ''} convien${w.fits.length > 1 ? 'nent' : 't'}</strong>`
          : 'aucun créneau pour l\'instant'}
        <button type="button" class="secondary" data-resume>Reprendre l'appel</button>
        <button type="button" class="secondary" data-leave>Retirer</button></li>`).join('')
      : '<li class="muted">Aucun appel en attente.</li>';
  } catch (err) { /* the desk may not see the waiting list (not a SAS desk) */ }
}

/** Loads a waiting request as the current call: its patient in the form, its fitting slots in the list. */
async function resume(requestId, slotId) {
  const r = await api('GET', '/api/v1/requests/' + requestId);
  const f = $('request').elements;
  f.initials.value = r.patient.initials; f.birthYear.value = r.patient.birthYear; f.phone.value = r.patient.phone || '';
  f.commune.value = r.patient.commune || '';
  ['noRegularDoctor', 'ald', 'over70', 'reducedMobility'].forEach(n => { f[n].checked = !!r.patient[n]; });
  state.request = r; state.hold = null;
  state.chosen = slotId || (r.candidates && r.candidates.length ? r.candidates[0].slotId : null);
  $('wait').hidden = true;
  show(r.candidates || []);
  return r;
}

$('waiting').addEventListener('click', async (e) => {
  const li = e.target.closest('li[data-request]');
  if (!li) return;
  try {
    if (e.target.hasAttribute('data-resume')) { await resume(li.dataset.request); say('Appel repris : rappelez le patient.', true); $('candidates').focus(); }
    if (e.target.hasAttribute('data-leave')) { await api('DELETE', `/api/v1/requests/${li.dataset.request}/wait`); loadWaiting(); }
  } catch (err) { say(messageOf(err)); }
});

/** A slot that appeared fits a waiting call: the banner says which, Alt+O takes an option on it for the most urgent. */
function offer(n) {
  state.offer = n;
  const p = n.requests[0];
  const others = n.requests.length > 1 ? ` (et ${n.requests.length - 1} autre${n.requests.length > 2 ? 's' : ''} appel${n.requests.length > 2 ? 's' : ''})` : '';
  $('waiting-banner').innerHTML = `Un créneau convient à un appel en attente : <strong>${esc(p.initials)}</strong> (${esc(p.birthYear)},
    ${esc(p.commune)}), jusqu'à ${esc(time(p.until))}${others} — ${esc(time(n.slot.start))}, ${esc(n.slot.effector)}${n.slot.place
      ? ', ' + esc(n.slot.place) + ', ' + esc(n.slot.commune) : ''}.
    <button type="button" id="take-offer" aria-keyshortcuts="Alt+O">Mettre une option et rappeler (<kbd>Alt</kbd>+<kbd>O</kbd>)</button>
    <button type="button" class="secondary" id="dismiss-offer">Ignorer</button>`;
  $('waiting-banner').hidden = false;
  $('take-offer').addEventListener('click', takeOffer);
  $('dismiss-offer').addEventListener('click', () => { state.offer = null; $('waiting-banner').hidden = true; });
  loadWaiting();
}

async function takeOffer() {
  const n = state.offer;
  if (!n) return;
  state.offer = null;
  $('waiting-banner').hidden = true;
  try {
    await resume(n.requests[0].id, n.slot.slotId);
    await hold();
    $('candidates').focus();
  } catch (err) { say(messageOf(err)); }
}

$('wait').addEventListener('click', putOnWaitingList);

// --- la carte : les communes du territoire, le patient, les créneaux ----------------------------------------------------
async function loadMap() {
  try {
    const { communes } = await api('GET', `/api/v1/territories/${TERRITORY}/communes`);
    state.map = communes;
    drawMap();
  } catch (err) { /* no map */ }
}

function drawMap() {
  const pts = state.map;
  if (!pts.length) return;
  const lats = pts.map(p => p[2]), lngs = pts.map(p => p[3]);
  const [minLat, maxLat, minLng, maxLng] = [Math.min(...lats), Math.max(...lats), Math.min(...lngs), Math.max(...lngs)];
  const k = Math.cos((minLat + maxLat) / 2 * Math.PI / 180);
  const scale = 540 / Math.max((maxLng - minLng) * k, maxLat - minLat);
  const xy = (lat, lng) => [20 + (lng - minLng) * k * scale, 40 + (maxLat - lat) * scale];
  // the communes, the names of the largest, then the slots, the chosen one and the patient on top of everything
  let svg = pts.map(p => { const [x, y] = xy(p[2], p[3]); const r = 1.5 + Math.sqrt(p[4]) / 60;
    return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r.toFixed(1)}" fill="#b9c2cc"><title>${esc(p[1])}</title></circle>`; }).join('');
  svg += pts.filter(p => p[4] >= 4000).map(p => { const [x, y] = xy(p[2], p[3]);
    return `<text x="${(x + 5).toFixed(1)}" y="${(y - 4).toFixed(1)}" font-size="11" fill="#333">${esc(p[1])}</text>`; }).join('');
  const marker = (c, i, chosen) => { const [x, y] = xy(c.place.lat, c.place.lng);
    return `<g><circle cx="${x}" cy="${y}" r="${chosen ? 11 : 9}" fill="${chosen ? '#f2a900' : '#2e7d32'}" stroke="#fff" stroke-width="2"></circle>
      <text x="${x}" y="${y + 4}" font-size="11" text-anchor="middle" fill="${chosen ? '#1b1b1b' : '#fff'}">${i + 1}</text></g>`; };
  state.candidates.forEach((c, i) => { if (i !== state.selected) svg += marker(c, i, false); });
  if (state.candidates[state.selected]) svg += marker(state.candidates[state.selected], state.selected, true);
  if (state.request) {
    const [x, y] = xy(state.request.patient.lat, state.request.patient.lng);
    svg += `<circle id="map-patient" cx="${x}" cy="${y}" r="7" fill="#1d4e89" stroke="#fff" stroke-width="2"><title>Patient</title></circle>`;
  }
  // legend and a 10 km scale (1 degree of latitude is 111.2 km)
  const tenKm = 10 / 111.2 * scale;
  svg += `<g id="map-legend" font-size="12" fill="#1b1b1b">
    <circle cx="26" cy="14" r="6" fill="#1d4e89"></circle><text x="36" y="18">Patient</text>
    <circle cx="100" cy="14" r="6" fill="#2e7d32"></circle><text x="110" y="18">Créneau proposé</text>
    <circle cx="232" cy="14" r="6" fill="#f2a900"></circle><text x="242" y="18">Créneau choisi</text>
    <line x1="380" y1="14" x2="${(380 + tenKm).toFixed(1)}" y2="14" stroke="#1b1b1b" stroke-width="3"></line>
    <text x="${(386 + tenKm).toFixed(1)}" y="18">10 km</text></g>`;
  $('map').innerHTML = svg;
}

async function territoryOfToken() {
  if (QUERY.get('territory') || SAS_SLOT || !SIGNIN.usable()) return;
  try { TERRITORY = (await api('GET', '/api/v1/me')).territories[0] || TERRITORY; } catch (err) { /* keep the default */ }
}

$('token').addEventListener('change', async () => { live.lastId = null; await territoryOfToken(); connect(); loadMap(); loadWaiting(); loadSasSlot(); });
SIGNIN.ready.then(territoryOfToken).then(() => { connect(); loadMap(); loadWaiting(); loadExtra(); loadSasSlot(); });
