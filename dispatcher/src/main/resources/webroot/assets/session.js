// Connexion des personnes (console, coordination) : une session ouverte par OpenID Connect (cookie HttpOnly), sinon,
// en mode démonstration seulement, le champ « Jeton » (rempli par ?token=). Chargé avant le script de la page.
// SIGNIN.ready says how this page calls the API: the session cookie (no header), or a demo token (bearer header).
const SIGNIN = (() => {
  const field = document.getElementById('token');
  const label = field.closest('label');
  const header = document.querySelector('header');
  const account = document.createElement('span');
  account.id = 'account';
  account.className = 'account';
  header.insertBefore(account, label.nextSibling);
  let session = false;

  const ready = fetch('/api/v1/session', { cache: 'no-store' }).then(r => r.json()).catch(() => ({})).then(s => {
    session = !!s.signedIn;
    if (session) {
      // signed in: the page calls the API with its cookie; a ?token= of the address is not used
      label.hidden = true;
      field.value = '';
      account.innerHTML = '<span class="muted"></span> <form method="post" action="/logout" class="inline">'
        + '<button type="submit" class="secondary">Se déconnecter</button></form>';
      account.querySelector('span').textContent = 'Connecté(e) : ' + s.name;
    } else {
      label.hidden = !s.demoTokens; // the token field is the demonstration's only
      if (s.demoTokens) field.value = new URLSearchParams(location.search).get('token') || '';
      // back to this very page after signing in (the server keeps only the parameters its pages read)
      if (s.login) account.innerHTML = `<a class="signin" href="/login?to=${encodeURIComponent(location.pathname + location.search)}">Se connecter</a>`;
      else if (!s.demoTokens) account.innerHTML = '<span class="muted">Connexion non configurée sur ce serveur</span>';
    }
    return { session };
  });

  return {
    ready,
    /** Whether the API can be called: a session, or a demo token typed or given. */
    usable: () => session || !!field.value,
    /** The headers of an API call: none with a session (the cookie goes by itself), the bearer demo token else. */
    headers: () => (!session && field.value ? { Authorization: 'Bearer ' + field.value } : {}),
  };
})();
