// The feedback link's "Annuler ma réponse": counts down the time left, from what the server said is left (the
// phone's clock may be wrong). A file, not an inline script: the pages' Content-Security-Policy allows only 'self'.
const f = document.querySelector('form.undo');
if (f) {
  const end = Date.now() + 1000 * Number(f.dataset.remaining);
  const t = setInterval(() => {
    const s = Math.max(0, Math.round((end - Date.now()) / 1000));
    if (s > 0) {
      f.querySelector('.left').textContent = 'encore ' + Math.floor(s / 60) + ' min ' + String(s % 60).padStart(2, '0') + ' s';
      return;
    }
    clearInterval(t);
    f.querySelector('button').disabled = true;
    f.querySelector('p').textContent = 'Le délai pour annuler cette réponse est passé.';
  }, 1000);
}
