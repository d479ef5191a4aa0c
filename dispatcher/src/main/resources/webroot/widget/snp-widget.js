// Widget SNP pour les pharmacies : <script type="module" src="https://<serveur>/widget/snp-widget.js"></script>
// puis <snp-widget data-session-url="/snp-session" data-territory="36"></snp-widget>, où /snp-session est une adresse
// du site hôte qui répond (POST) une session de widget : son serveur l'obtient en échangeant la clé d'API de la
// pharmacie (POST /api/v1/widget/sessions, jamais depuis la page). Ou data-session="wst_…" : une session donnée par
// la page (15 minutes au plus). La clé d'API de la pharmacie ne figure jamais dans la page.
// Fiche patient -> créneaux proposés -> réservation temporaire -> confirmation imprimable.
// Aucune donnée patient n'est gardée dans le navigateur (ni stockage local, ni cookie) ; tout est effacé à la fin.

const API_BASE = new URL('..', import.meta.url).href.replace(/\/$/, '');

// the French sentence of every answer code comes from the server's one list (GET /api/v1/codes), never from a copy
const MESSAGES = {};
// a site that is not allowed to embed the widget (or no network) fails here first: the form says so at once
const REACHABLE = fetch(API_BASE + '/api/v1/codes').then(r => { if (!r.ok) throw new Error(r.status); return r.json(); })
  .then(j => { Object.entries(j.codes).forEach(([code, c]) => { MESSAGES[code] = c.fr; }); return true; }).catch(() => false);
const UNREACHABLE = 'Le service de rendez-vous ne répond pas à ce site (site non autorisé ou connexion coupée). '
  + 'Appelez la plateforme de la CPTS.';
const UNKNOWN_COMMUNE = 'Commune inconnue : choisissez-la dans la liste proposée.';
// the form field an API error names
const FIELD_INPUT = { 'patient.initials': 'initials', 'patient.birthYear': 'birthYear', 'patient.phone': 'phone',
  'patient.communeInsee': 'commune', 'patientContact.sms': 'sms', 'patientContact.email': 'email',
  'patientContact.consent': 'consent', 'patientContact': 'sms' };
const FIELD_LABELS = {
  'patient.initials': 'les initiales (1 à 4 lettres)', 'patient.birthYear': 'l\'année de naissance',
  'patient.phone': 'le téléphone', 'patient.communeInsee': 'la commune', 'need.from': 'le délai', 'need.to': 'le délai',
  'need.within': 'le délai', 'need.mode': 'le type de consultation', 'patientContact.sms': 'le numéro de portable pour le SMS',
  'patientContact.email': 'l\'adresse e-mail', 'patientContact': 'le numéro ou l\'adresse pour prévenir le patient',
};

function message(error) {
  if (error instanceof TypeError) return UNREACHABLE; // fetch refused by the browser (CORS) or no network
  if (MESSAGES[error.code]) return MESSAGES[error.code];
  if (error.field && FIELD_LABELS[error.field]) return 'Vérifiez ' + FIELD_LABELS[error.field] + '.';
  return 'La demande n\'a pas abouti. Réessayez ou appelez la plateforme de la CPTS.';
}

const STYLE = `
:host { display: block; font: 16px/1.45 system-ui, sans-serif; color: #1b1b1b; max-width: 44rem; }
* { box-sizing: border-box; }
h2 { font-size: 1.25rem; margin: .2rem 0 .8rem; }
fieldset { border: 1px solid #c9ccd1; border-radius: 6px; margin: 0 0 .8rem; padding: .6rem .8rem; }
legend { font-weight: 600; padding: 0 .3rem; }
label { display: block; margin: .35rem 0; }
.row { display: flex; flex-wrap: wrap; gap: .6rem; }
.row > label { flex: 1 1 10rem; }
input[type=text], input[type=tel], input[type=number] { width: 100%; padding: .5rem; font-size: 1rem;
  border: 1px solid #8a8f98; border-radius: 4px; }
.check { display: flex; align-items: center; gap: .4rem; }
button { font-size: 1rem; padding: .6rem 1rem; border-radius: 4px; border: 1px solid #1d4e89; background: #1d4e89;
  color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: #1d4e89; }
button:disabled { background: #8a8f98; border-color: #8a8f98; color: #fff; cursor: not-allowed; }
button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
ul.slots { list-style: none; padding: 0; margin: 0; }
ul.slots li { border: 1px solid #c9ccd1; border-radius: 6px; padding: .6rem .8rem; margin: 0 0 .5rem; display: flex;
  justify-content: space-between; align-items: center; gap: .6rem; flex-wrap: wrap; }
.when { font-weight: 600; }
.muted { color: #555; font-size: .92rem; }
.error { background: #fdecea; border: 1px solid #b3261e; color: #8c1d18; padding: .6rem .8rem; border-radius: 6px; }
.error:empty { display: none; }
.ok { background: #e8f5e9; border: 1px solid #2e7d32; padding: .8rem; border-radius: 6px; }
.actions { display: flex; gap: .6rem; flex-wrap: wrap; margin-top: .8rem; }
@media print { .actions, .noprint { display: none; } }
`;

class SnpWidget extends HTMLElement {
  connectedCallback() {
    this.token = this.dataset.session || null;
    this.sessionUrl = this.dataset.sessionUrl || null;
    this.tokenEndsAt = Infinity;
    this.territory = this.dataset.territory || '36';
    this.root = this.attachShadow({ mode: 'open' });
    this.showForm();
  }

  /**
   * The widget session to call with: asked of the host site (data-session-url) when there is none yet or when it
   * ends within half a minute; the host's back end trades the pharmacy's API key for it, the page never sees the key.
   */
  async session(renew = false) {
    if (this.sessionUrl && (renew || !this.token || Date.now() > this.tokenEndsAt - 30_000)) {
      const response = await fetch(this.sessionUrl, { method: 'POST', credentials: 'same-origin', cache: 'no-store' });
      const json = await response.json().catch(() => ({}));
      if (!response.ok || !json.token) throw json.code ? json : { code: 'WIDGET_SESSION_ENDED' };
      this.token = json.token;
      this.tokenEndsAt = Date.now() + (json.expiresInSeconds || 60) * 1000;
    }
    return this.token;
  }

  async api(method, path, body, headers = {}, retried = false) {
    const token = await this.session();
    const response = await fetch(API_BASE + path, {
      method, headers: { 'Authorization': 'Bearer ' + token, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined, cache: 'no-store',
    });
    const json = await response.json().catch(() => ({}));
    // a session that ended (its quarter of an hour, or the key revoked) is renewed once; the call had no effect
    if (response.status === 401 && json.code === 'WIDGET_SESSION_ENDED' && this.sessionUrl && !retried) {
      await this.session(true);
      return this.api(method, path, body, headers, true);
    }
    if (!response.ok) throw json.code ? json : { code: 'HTTP_' + response.status };
    return json;
  }

  render(html) {
    this.root.innerHTML = `<style>${STYLE}</style><div role="alert" aria-live="assertive" class="error" id="error"></div>${html}`;
    const heading = this.root.querySelector('h2');
    if (heading) { heading.tabIndex = -1; heading.focus(); }
  }

  /**
   * Shows a refusal where the eye is: the message is scrolled into view (on a phone it could be far above), the
   * field it is about is marked invalid and gets the focus, else the message itself does.
   */
  error(text, field) {
    const box = this.root.getElementById('error');
    box.textContent = text;
    this.root.querySelectorAll('[aria-invalid]').forEach(e => e.removeAttribute('aria-invalid'));
    const input = field ? this.root.querySelector(`[name="${FIELD_INPUT[field] || field}"]`) : null;
    box.scrollIntoView({ block: 'center' });
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', 'error');
      input.focus({ preventScroll: true });
    } else {
      box.tabIndex = -1;
      box.focus({ preventScroll: true });
    }
  }

  // --- 1. la fiche patient -------------------------------------------------------------------------------------
  /** The patient form; {@code patient}: the same patient again ("Nouvelle recherche"), only the need changes. */
  showForm(patient) {
    this.state = {};
    if (!patient) this.known = new Map();
    this.render(`
      <h2>Trouver un rendez-vous de soins non programmés</h2>
      <form id="form" novalidate autocomplete="off">
        <fieldset><legend>Fiche patient</legend>
          <div class="row">
            <label>Initiales <input type="text" name="initials" maxlength="4" required autocomplete="off"></label>
            <label>Année de naissance <input type="number" name="birthYear" min="1900" max="${new Date().getFullYear()}" required></label>
            <label>Téléphone <input type="tel" name="phone" required placeholder="06 12 34 56 78"></label>
          </div>
          <label>Commune <input type="text" name="commune" list="communes" required aria-describedby="communeHelp"></label>
          <datalist id="communes"></datalist>
          <span id="communeHelp" class="muted">Tapez le début du nom puis choisissez dans la liste.</span>
          <div class="row">
            <label class="check"><input type="checkbox" name="noRegularDoctor"> Pas de médecin traitant</label>
            <label class="check"><input type="checkbox" name="ald"> Affection de longue durée (ALD)</label>
            <label class="check"><input type="checkbox" name="over70"> Plus de 70 ans</label>
            <label class="check"><input type="checkbox" name="reducedMobility"> Mobilité réduite</label>
          </div>
        </fieldset>
        <fieldset><legend>Besoin</legend>
          <div class="row" role="radiogroup" aria-label="Délai">
            <label class="check"><input type="radio" name="within" value="TODAY" checked> Aujourd'hui</label>
            <label class="check"><input type="radio" name="within" value="PT24H"> Sous 24 h</label>
            <label class="check"><input type="radio" name="within" value="PT48H"> Sous 48 h</label>
          </div>
          <div class="row" role="radiogroup" aria-label="Type de consultation">
            <label class="check"><input type="radio" name="mode" value="AMB" checked> Au cabinet</label>
            <label class="check"><input type="radio" name="mode" value="HH"> Visite à domicile</label>
            <label class="check"><input type="radio" name="mode" value="VR"> Téléconsultation</label>
          </div>
        </fieldset>
        <div class="actions"><button type="submit">Voir les créneaux</button>
          <button type="button" class="secondary" id="doctor">Demande de médecin traitant</button></div>
      </form>`);
    const form = this.root.getElementById('form');
    if (patient) {
      ['initials', 'birthYear', 'phone', 'commune'].forEach(n => { form.elements[n].value = patient[n]; });
      ['noRegularDoctor', 'ald', 'over70', 'reducedMobility'].forEach(n => { form.elements[n].checked = patient[n]; });
      this.known.set(patient.commune, patient.insee);
    }
    const commune = form.elements.commune;
    commune.addEventListener('input', () => this.suggest(commune.value));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.search(form); });
    this.root.getElementById('doctor').addEventListener('click', () => this.requestDoctor(form));
    REACHABLE.then(ok => { if (!ok && this.root.getElementById('form') === form) this.error(UNREACHABLE); });
  }

  // --- la demande de médecin traitant (patients prioritaires sans médecin traitant, suivis par la CPTS) -------------
  async requestDoctor(form) {
    const f = form.elements;
    const insee = this.communeInsee(f.commune.value);
    if (!f.initials.value.trim() || !f.birthYear.value) {
      return this.error('Indiquez les initiales et l\'année de naissance du patient.', f.initials.value.trim() ? 'birthYear' : 'initials');
    }
    if (!insee) return this.error(MESSAGES.UNKNOWN_COMMUNE || UNKNOWN_COMMUNE, 'commune');
    if (!f.ald.checked && !f.over70.checked) {
      return this.error('La CPTS suit en priorité les patients en ALD ou de plus de 70 ans : cochez la case qui convient.');
    }
    try {
      await this.api('POST', '/api/v1/doctor-requests', { patient: { initials: f.initials.value.trim(), birthYear: Number(f.birthYear.value),
        phone: f.phone.value, communeInsee: insee, ald: f.ald.checked, over70: f.over70.checked } });
      this.state = {};
      this.known = new Map();
      this.render(`<h2>Demande transmise à la CPTS</h2>
        <p class="ok">La coordination de la CPTS rappellera le patient pour lui proposer un médecin traitant.</p>
        <div class="actions"><button class="secondary" id="again">Nouveau patient</button></div>`);
      this.root.getElementById('again').addEventListener('click', () => this.showForm());
    } catch (e) { this.error(message(e), e.field); }
  }

  async suggest(text) {
    const name = text.replace(/\s*\(\d{5}\)\s*$/, '').trim(); // a chosen entry reads "Name (36000)"
    if (name.length < 2) return;
    try {
      const { communes } = await this.api('GET', '/api/v1/communes?q=' + encodeURIComponent(name));
      if (!communes.length) return;
      communes.forEach(c => this.known.set(`${c.name} (${c.postalCode})`, c.insee));
      this.root.getElementById('communes').innerHTML = communes
        .map(c => `<option value="${esc(c.name)} (${c.postalCode})"></option>`).join('');
    } catch (e) { /* the list stays as it was */ }
  }

  /** The INSEE code of a commune the list offered (by its label, or by its name alone when that is unique). */
  communeInsee(text) {
    const t = text.trim();
    if (this.known.has(t)) return this.known.get(t);
    const byName = [...this.known.entries()].filter(([label]) => label.replace(/\s*\(\d{5}\)$/, '').toLowerCase() === t.toLowerCase());
    return byName.length === 1 ? byName[0][1] : null;
  }

  async search(form) {
    const f = form.elements;
    const insee = this.communeInsee(f.commune.value);
    if (!f.initials.value.trim()) return this.error('Indiquez les initiales du patient.', 'initials');
    if (!f.birthYear.value) return this.error('Indiquez l\'année de naissance du patient.', 'birthYear');
    if (!insee) return this.error(MESSAGES.UNKNOWN_COMMUNE || UNKNOWN_COMMUNE, 'commune');
    const within = form.querySelector('input[name=within]:checked').value;
    const need = { mode: form.querySelector('input[name=mode]:checked').value };
    if (within === 'TODAY') {
      need.from = new Date().toISOString(); need.to = endOfParisDay();
    } else need.within = within;
    const body = {
      origin: 'PHARMACIST', limit: 8, need,
      patient: { initials: f.initials.value.trim(), birthYear: Number(f.birthYear.value), phone: f.phone.value,
        communeInsee: insee, noRegularDoctor: f.noRegularDoctor.checked, ald: f.ald.checked, over70: f.over70.checked,
        reducedMobility: f.reducedMobility.checked },
    };
    // kept for "Nouvelle recherche": the same patient, another need
    this.state.patient = { initials: f.initials.value, birthYear: f.birthYear.value, phone: f.phone.value,
      commune: f.commune.value, insee, noRegularDoctor: f.noRegularDoctor.checked, ald: f.ald.checked,
      over70: f.over70.checked, reducedMobility: f.reducedMobility.checked };
    try {
      const request = await this.api('POST', '/api/v1/requests', body);
      this.state.request = request;
      this.showSlots(request.candidates);
    } catch (e) { this.error(message(e), e.field); }
  }

  // --- 2. les créneaux ------------------------------------------------------------------------------------------
  showSlots(candidates, notice) {
    const items = candidates.map((c, i) => `
      <li><div><div class="when">${esc(when(c.start))}</div>
        <div>${esc(c.effector.name)} — ${esc(c.place.name)}, ${esc(c.place.commune)}</div>
        <div class="muted">${c.mode === 'VR' ? 'Téléconsultation' : c.mode === 'HH' ? 'Visite à domicile'
          : esc(c.distanceKm.toLocaleString('fr-FR')) + ' km'}${c.place.accessible ? ' · accessible PMR' : ''}</div></div>
        <button data-i="${i}" aria-label="Mettre une option de 2 minutes sur ${esc(when(c.start))} avec ${esc(c.effector.name)}">Mettre une option (2 min)</button></li>`).join('');
    this.render(`<h2>Créneaux disponibles</h2>
      ${candidates.length ? `<ul class="slots">${items}</ul>` : '<p>Aucun créneau disponible pour ce besoin. Appelez le 116 117 ou la plateforme de la CPTS.</p>'}
      <div class="actions"><button class="secondary" id="back">Nouvelle recherche</button></div>`);
    if (notice) this.error(notice);
    this.root.querySelectorAll('button[data-i]').forEach(b =>
      b.addEventListener('click', () => this.hold(candidates[Number(b.dataset.i)])));
    const patient = this.state.patient;
    this.root.getElementById('back').addEventListener('click', () => this.showForm(patient));
  }

  async refreshSlots(notice) {
    try {
      const request = await this.api('GET', '/api/v1/requests/' + this.state.request.id);
      this.showSlots(request.candidates || [], notice);
    } catch (e) { this.error(message(e)); }
  }

  // --- 3. réservation temporaire puis confirmation ----------------------------------------------------------------
  async hold(candidate) {
    try {
      const hold = await this.api('POST', `/api/v1/slots/${candidate.slotId}/hold`, { requestId: this.state.request.id });
      this.state.hold = hold;
      this.state.candidate = candidate;
      this.showConfirm();
    } catch (e) { this.refreshSlots(message(e)); }
  }

  showConfirm() {
    const c = this.state.candidate;
    // one key per confirmation intent: a second click, or a retry after a lost answer, books once
    this.state.bookingKey = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9-]/g, '');
    this.render(`<h2>Confirmer le rendez-vous</h2>
      <p><strong>${esc(when(c.start))}</strong> — ${esc(MODE_LABEL[c.mode] || '')}<br>${esc(c.effector.name)}<br>${c.mode === 'AMB'
        ? `${esc(c.place.name)}, ${esc(c.place.address || '')} ${esc(c.place.commune)}` : esc(MODE_WHERE[c.mode] || '')}</p>
      <p class="muted" id="countdown" aria-live="off"></p>
      <fieldset><legend>Prévenir le patient (confirmation, rappel, lien pour annuler)</legend>
        <div class="row">
          <label>SMS au <input type="tel" name="sms" autocomplete="off" placeholder="06 12 34 56 78"></label>
          <label>E-mail <input type="email" name="email" autocomplete="off"></label>
        </div>
        <label class="check"><input type="checkbox" name="consent"> Le patient accepte d'être prévenu par SMS ou e-mail</label>
      </fieldset>
      <div class="actions"><button id="confirm">Confirmer le rendez-vous</button>
        <button class="secondary" id="retake" hidden>Reprendre une option sur ce créneau</button>
        <button class="secondary" id="cancel">Rendre l'option et choisir un autre créneau</button></div>`);
    // the option runs out: confirming is no longer possible, the same slot can be taken again if still free
    const tick = () => {
      const s = Math.max(0, Math.round((new Date(this.state.hold.expiresAt).getTime() - Date.now()) / 1000));
      const el = this.root.getElementById('countdown');
      if (!el) return;
      if (s > 0) {
        el.textContent = `Option posée : ce créneau vous est gardé encore ${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s. Confirmez pour réserver.`;
        return;
      }
      clearInterval(this.timer);
      el.textContent = 'L\'option a expiré : le créneau n\'est plus gardé.';
      this.root.getElementById('confirm').disabled = true;
      this.root.getElementById('retake').hidden = false;
    };
    tick();
    this.timer = setInterval(tick, 1000);
    this.root.getElementById('confirm').addEventListener('click', () => this.book());
    this.root.getElementById('retake').addEventListener('click', () => this.hold(c));
    this.root.getElementById('cancel').addEventListener('click', async () => {
      clearInterval(this.timer);
      await this.api('DELETE', `/api/v1/slots/${c.slotId}/hold?holdId=${encodeURIComponent(this.state.hold.holdId)}`).catch(() => {});
      this.refreshSlots();
    });
  }

  async book() {
    if (this.booking) return; // already on its way: the button is disabled, a second click does nothing
    // the patient is told only if they agreed: a number or an address without the box ticked is not sent
    const sms = this.root.querySelector('[name=sms]').value.trim(), email = this.root.querySelector('[name=email]').value.trim();
    const consent = this.root.querySelector('[name=consent]').checked;
    if ((sms || email) && !consent) {
      return this.error('Demandez au patient s\'il accepte d\'être prévenu par SMS ou e-mail, puis cochez son accord (ou videz les champs).', 'consent');
    }
    const patientContact = sms || email ? { ...(sms ? { sms } : {}), ...(email ? { email } : {}), consent: true } : undefined;
    this.booking = true;
    const button = this.root.getElementById('confirm');
    if (button) button.disabled = true;
    clearInterval(this.timer);
    try {
      const appointment = await this.api('POST', '/api/v1/appointments',
        { slotId: this.state.candidate.slotId, requestId: this.state.request.id, holdId: this.state.hold.holdId, patientContact },
        { 'Idempotency-Key': this.state.bookingKey });
      this.showDone(appointment);
    } catch (e) {
      // a refused contact (not a mobile, not an address) is fixed on the same screen, the option still running
      if (e.field && e.field.startsWith('patientContact')) { if (button) button.disabled = false; this.error(message(e), e.field); }
      else this.refreshSlots(message(e));
    } finally { this.booking = false; }
  }

  // --- 4. confirmation pour le patient : plus aucune donnée patient n'est gardée ----------------------------------
  showDone(a) {
    this.state = {};
    this.known = new Map();
    const p = a.place || {};
    const mode = a.slot.mode;
    const phone = a.effector.phone ? '<br>Tél. du cabinet : ' + esc(a.effector.phone.replace(/(\d{2})(?=\d)/g, '$1 ')) : '';
    // what the patient must do depends on the mode: never send a patient to a practice for a home visit
    const where = mode === 'AMB'
      ? `<p>${esc(a.effector.name)}<br>${esc(p.name || '')}<br>${esc(p.address || '')} ${esc(p.commune || '')}${phone}
         ${p.accessible ? '<br>Cabinet accessible aux personnes à mobilité réduite.' : ''}</p>
         <p class="muted">Présentez-vous quelques minutes en avance avec votre carte Vitale. En cas d'empêchement,
         prévenez le cabinet pour libérer le créneau.</p>`
      : mode === 'HH'
        ? `<p>${esc(a.effector.name)} viendra au domicile du patient.${phone}</p>
           <p class="muted">Restez au domicile et gardez le téléphone allumé : le médecin peut appeler avant de passer.
           Préparez la carte Vitale et la liste des traitements. En cas d'empêchement, prévenez le cabinet.</p>`
        : `<p>${esc(a.effector.name)} appellera le patient au numéro donné à l'heure du rendez-vous
           (ou lui enverra un lien de connexion).${phone}</p>
           <p class="muted">Gardez le téléphone allumé, installez-vous au calme, préparez la carte Vitale et la liste des
           traitements. En cas d'empêchement, prévenez le cabinet.</p>`;
    this.render(`<h2>Rendez-vous confirmé</h2>
      <div class="ok" id="confirmation" data-mode="${esc(mode)}">
        <p><strong>${esc(when(a.slot.start))}</strong> — ${esc(MODE_LABEL[mode] || '')}</p>
        <p>Référence du rendez-vous : <strong>${esc(a.reference)}</strong> (à donner en cas d'annulation)</p>
        ${a.patientMessages && a.patientMessages.channels.length ? `<p>Le patient recevra la confirmation par
          ${a.patientMessages.channels.map(ch => ch === 'sms' ? 'SMS' : 'e-mail').join(' et ')}, un rappel avant le rendez-vous
          et un lien pour l'annuler.</p>` : ''}
        ${where}
      </div>
      <div class="actions"><button id="print">Imprimer</button><button class="secondary" id="again">Nouveau patient</button></div>`);
    this.root.getElementById('print').addEventListener('click', () => window.print());
    this.root.getElementById('again').addEventListener('click', () => this.showForm());
  }
}

const MODE_LABEL = { AMB: 'consultation au cabinet', HH: 'visite à domicile', VR: 'téléconsultation' };
const MODE_WHERE = { HH: 'Le médecin vient au domicile du patient.', VR: 'Le médecin appelle le patient (téléphone ou lien).' };

/**
 * 23:59 today in Paris, with Paris' offset of that moment ("2026-03-29T23:59:00+02:00"): "Aujourd'hui" is the day in
 * Paris, not on the computer's clock. The offset is read twice, the second time at 23:59 itself, for the days the
 * clocks change.
 */
function endOfParisDay() {
  const paris = (date) => Object.fromEntries(new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric',
    month: '2-digit', day: '2-digit', timeZoneName: 'longOffset' }).formatToParts(date).map(p => [p.type, p.value]));
  const offset = (parts) => (parts.timeZoneName.match(/[+-]\d{2}:\d{2}/) || ['Z'])[0];
  const today = paris(new Date());
  const at = (off) => `${today.year}-${today.month}-${today.day}T23:59:00${off}`;
  return at(offset(paris(new Date(at(offset(today))))));
}

function when(iso) {
  const d = new Date(iso);
  return d.toLocaleString('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit',
    timeZone: 'Europe/Paris' });
}

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, ch => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }[ch]));
}

customElements.define('snp-widget', SnpWidget);
