package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.People;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.Sessions;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2AuthorizationURL;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import io.vertx.ext.auth.oauth2.providers.OpenIDConnectAuth;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * People sign in to the console and the coordinator page with OpenID Connect (authorization code + PKCE, e.g. Pro
 * Santé Connect): GET /login sends the browser to the provider, GET /login/callback comes back with a code, which
 * is exchanged (with the PKCE verifier) for an id token checked by Vert.x (signature, issuer, audience) and here
 * (nonce). The person (issuer + subject claim) must be on the roster, which says what they may do; then a session
 * opens, held by an HttpOnly, SameSite=Strict cookie. POST /logout ends it. Software keeps its bearer tokens.
 */
final class SignInHandlers {
    private static final Logger LOG = Logger.getLogger("fr.snp.dispatch.signin");
    /** The pages one may sign in to: nothing else may be the return address (no open redirect). */
    private static final Set<String> PAGES = Set.of("/console", "/coordinator");
    private static final String LOGIN_COOKIE = "snp_login";

    private final Services s;
    private final People people;
    private final String issuer;
    private final String redirectUri;
    private final boolean secure;
    private final String cookieName;
    private volatile Future<OAuth2Auth> provider;

    SignInHandlers(Services s) {
        this.s = s;
        this.people = s.people();
        this.issuer = s.settings().string("oidc.issuer");
        this.redirectUri = people.baseUrl() + "/login/callback";
        // a Secure cookie is not sent over plain HTTP: only a server reached on the loopback goes without it
        this.secure = !loopback(people.baseUrl());
        // __Host-: the browser takes it only from this very host, over HTTPS, for the whole site
        this.cookieName = secure ? "__Host-snp_session" : "snp_session";
    }

    boolean enabled() { return !issuer.isEmpty(); }

    String cookieName() { return cookieName; }

    static boolean loopback(String baseUrl) {
        String host = URI.create(baseUrl).getHost();
        return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
    }

    /** The session id the browser sent, or null. */
    String sessionId(RoutingContext ctx) {
        Cookie c = ctx.request().getCookie(cookieName);
        return c == null ? null : c.getValue();
    }

    /** Discovered on the first login (the provider need not be up when the server starts), again after a failure. */
    private Future<OAuth2Auth> provider(RoutingContext ctx) {
        Future<OAuth2Auth> p = provider;
        if (p == null || p.failed()) {
            p = OpenIDConnectAuth.discover(ctx.vertx(), new OAuth2Options().setSite(issuer)
                    .setClientId(s.settings().string("oidc.clientId")).setClientSecret(emptyToNull(s.settings().string("oidc.clientSecret"))));
            provider = p;
        }
        return p;
    }

    /** GET /login?to=/console: to the provider, with a fresh state, nonce and PKCE challenge. */
    void login(RoutingContext ctx) {
        if (!enabled()) {
            page(ctx, 404, "La connexion n'est pas configurée sur ce serveur.", false);
            return;
        }
        String to = returnPage(ctx.queryParams().get("to"));
        if (to == null) {
            page(ctx, 400, "Cette page de retour n'existe pas. Ouvrez la console ou la page de coordination.", false);
            return;
        }
        String verifier = Sessions.randomId();
        String nonce = Sessions.randomId();
        String browser = Sessions.randomId();
        JsonObject login = new JsonObject().put("verifier", verifier).put("nonce", nonce).put("to", to)
                .put("browser", sha256(browser));
        Future.fromCompletionStage(people.sessions().startLogin(login), ctx.vertx().getOrCreateContext())
                .compose(state -> provider(ctx).map(oauth -> {
                    OAuth2AuthorizationURL url = new OAuth2AuthorizationURL().setRedirectUri(redirectUri)
                            .setScopes(Arrays.asList(s.settings().string("oidc.scopes").trim().split("\\s+")))
                            .setState(state).setCodeChallenge(sha256(verifier)).setCodeChallengeMethod("S256")
                            .putAdditionalParameter("nonce", nonce);
                    String acr = s.settings().string("oidc.acrValues");
                    if (!acr.isEmpty()) url.putAdditionalParameter("acr_values", acr); // Pro Santé Connect: eidas1
                    return oauth.authorizeURL(url);
                }))
                .onSuccess(url -> {
                    // ties the callback to this browser (login CSRF); Lax, since the provider's redirect is cross-site
                    ctx.response().addCookie(Cookie.cookie(LOGIN_COOKIE, browser).setPath("/login").setHttpOnly(true)
                            .setSecure(secure).setSameSite(CookieSameSite.LAX).setMaxAge(600));
                    ctx.response().setStatusCode(302).putHeader("Location", url).putHeader("Cache-Control", "no-store").end();
                })
                .onFailure(e -> {
                    LOG.warning("OpenID Connect provider unavailable: " + e.getMessage());
                    page(ctx, 503, "Le service d'identification ne répond pas. Réessayez dans un instant.", true);
                });
    }

    /**
     * Where to go back after signing in: one of our pages, with only the parameters those pages read, each checked
     * (a slot chosen on the SAS platform, its origin, a territory), so that the link the platform shows a regulator
     * ({@code /console?slot=…&origin=sas}) survives the sign-in and nothing else rides along (no open redirect, no
     * markup). Null when the page is not ours.
     */
    static String returnPage(String to) {
        if (to == null || to.isEmpty()) return "/console";
        int q = to.indexOf('?');
        String path = q < 0 ? to : to.substring(0, q);
        if (!PAGES.contains(path)) return null;
        if (q < 0) return path;
        StringBuilder kept = new StringBuilder();
        for (String pair : to.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) continue;
            String name = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            boolean fine = switch (name) {
                case "slot" -> fr.snp.dispatch.domain.Ids.isWellFormed(value);
                case "origin" -> value.equals("sas");
                case "territory" -> fr.snp.dispatch.domain.Ids.isTerritory(value);
                default -> false;
            };
            if (fine) kept.append(kept.length() == 0 ? '?' : '&').append(name).append('=').append(value);
        }
        return path + kept;
    }

    /** GET /login/callback?code=…&state=…: the provider's answer. */
    void callback(RoutingContext ctx) {
        if (!enabled()) {
            page(ctx, 404, "La connexion n'est pas configurée sur ce serveur.", false);
            return;
        }
        if (ctx.queryParams().get("error") != null) {
            page(ctx, 401, "La connexion a été interrompue ou refusée par le service d'identification.", true);
            return;
        }
        String code = ctx.queryParams().get("code");
        String state = ctx.queryParams().get("state");
        Cookie browser = ctx.request().getCookie(LOGIN_COOKIE);
        if (code == null || code.isBlank() || state == null) {
            page(ctx, 400, "Cette adresse de connexion est incomplète.", true);
            return;
        }
        ctx.response().addCookie(Cookie.cookie(LOGIN_COOKIE, "").setPath("/login").setHttpOnly(true).setSecure(secure)
                .setSameSite(CookieSameSite.LAX).setMaxAge(0));
        Future.fromCompletionStage(people.sessions().takeLogin(state), ctx.vertx().getOrCreateContext()).onComplete(taken -> {
            if (taken.failed()) { Http.fail(ctx, taken.cause()); return; }
            JsonObject login = taken.result();
            if (login == null || browser == null || !MessageDigest.isEqual(sha256(browser.getValue()).getBytes(StandardCharsets.UTF_8),
                    login.getString("browser").getBytes(StandardCharsets.UTF_8))) {
                page(ctx, 400, "Cette connexion a expiré, a déjà servi ou a été commencée dans un autre navigateur.", true);
                return;
            }
            provider(ctx).compose(oauth -> oauth.authenticate(new Oauth2Credentials().setFlow(io.vertx.ext.auth.oauth2.OAuth2FlowType.AUTH_CODE).setCode(code).setRedirectUri(redirectUri)
                            .setCodeVerifier(login.getString("verifier"))).compose(user -> claims(oauth, user, login.getString("nonce"))))
                    .onFailure(e -> {
                        LOG.warning("sign-in failed at the code exchange: " + e.getMessage());
                        page(ctx, 401, "Votre identité n'a pas pu être vérifiée. Recommencez la connexion.", true);
                    })
                    .onSuccess(person -> signIn(ctx, person[0], person[1], login.getString("to")));
        });
    }

    /** The issuer and subject of the person, from the id token (nonce checked), else from the userinfo endpoint. */
    private Future<String[]> claims(OAuth2Auth oauth, User user, String nonce) {
        JsonObject id = user.attributes().getJsonObject("idToken");
        if (id == null) return Future.failedFuture("no id token: is the openid scope asked for?");
        if (!nonce.equals(id.getString("nonce"))) return Future.failedFuture("id token nonce mismatch");
        String iss = id.getString("iss", issuer);
        String claim = s.settings().string("oidc.subjectClaim");
        Object subject = id.getValue(claim);
        if (subject != null) return Future.succeededFuture(new String[] {iss, String.valueOf(subject)});
        // Pro Santé Connect gives the RPPS (SubjectNameID) at the userinfo endpoint
        return oauth.userInfo(user).compose(info -> {
            Object v = info.getValue(claim);
            return v == null ? Future.failedFuture("claim " + claim + " missing from the id token and userinfo")
                    : Future.succeededFuture(new String[] {iss, String.valueOf(v)});
        });
    }

    private void signIn(RoutingContext ctx, String iss, String subject, String to) {
        Future.fromCompletionStage(people.roster().find(iss, subject), ctx.vertx().getOrCreateContext()).compose(p -> {
            if (p == null) return Future.succeededFuture((String) null);
            return Future.fromCompletionStage(people.sessions().open(iss, subject), ctx.vertx().getOrCreateContext());
        }).onFailure(e -> Http.fail(ctx, e)).onSuccess(sessionId -> {
            if (sessionId == null) {
                // the person's hash, not their RPPS, goes to the log
                LOG.info("sign-in refused: person not on the roster (" + sha256(iss + " " + subject).substring(0, 16) + ")");
                page(ctx, 403, "Vous êtes bien identifié(e), mais vous n'êtes pas inscrit(e) sur ce service. Demandez à "
                        + "l'équipe qui l'administre de vous ajouter, avec votre rôle et votre territoire.", false);
                return;
            }
            ctx.response().addCookie(Cookie.cookie(cookieName, sessionId).setPath("/").setHttpOnly(true).setSecure(secure)
                    .setSameSite(CookieSameSite.STRICT));
            // a page of our own rather than a redirect: after the provider's cross-site redirect the browser would
            // not send a SameSite=Strict cookie with the next page; a navigation started here, it does
            String href = FeedbackLinkHandlers.esc(to); // only checked characters, but an & is still markup
            html(ctx, 200, "<meta http-equiv=refresh content=\"0;url=" + href + "\">",
                    "<p class=ok role=status>Vous êtes connecté(e).</p><p><a href=\"" + href + "\">Continuer</a></p>");
        });
    }

    /** POST /logout: ends the session here (the provider's own session is its business). */
    void logout(RoutingContext ctx) {
        String id = sessionId(ctx);
        Future.fromCompletionStage(people.sessions().close(id), ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) { Http.fail(ctx, ar.cause()); return; }
            ctx.response().addCookie(Cookie.cookie(cookieName, "").setPath("/").setHttpOnly(true).setSecure(secure)
                    .setSameSite(CookieSameSite.STRICT).setMaxAge(0));
            page(ctx, 200, "Vous êtes déconnecté(e).", enabled());
        });
    }

    /** GET /api/v1/session: whether this browser is signed in, and how the pages may sign in. No credential needed. */
    void status(RoutingContext ctx) {
        Future.fromCompletionStage(people.sessions().lookup(sessionId(ctx)), ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) { Http.fail(ctx, ar.cause()); return; }
            Principal p = ar.result();
            JsonObject j = new JsonObject().put("signedIn", p != null).put("login", enabled())
                    .put("demoTokens", s.tokens().demo());
            if (p != null) j.put("name", p.name()).put("role", p.role().wireName());
            ctx.response().putHeader("Cache-Control", "no-store");
            Http.json(ctx, 200, j);
        });
    }

    private static void page(RoutingContext ctx, int status, String sentence, boolean offerLogin) {
        html(ctx, status, "", "<p class=" + (status < 400 ? "ok role=status" : "err role=alert") + ">"
                + FeedbackLinkHandlers.esc(sentence) + "</p>"
                + (offerLogin ? "<p><a href=\"/login?to=/console\">Se connecter à la console</a> · "
                + "<a href=\"/login?to=/coordinator\">Se connecter à la page de coordination</a></p>" : ""));
    }

    private static void html(RoutingContext ctx, int status, String head, String body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store").putHeader("Referrer-Policy", "no-referrer")
                .end("<!doctype html><html lang=fr><meta charset=utf-8><meta name=viewport content=\"width=device-width\">"
                        + head + "<title>Connexion — soins non programmés</title>"
                        + "<link rel=icon href=\"/assets/favicon.svg\" type=\"image/svg+xml\"><style>body{font:1.1rem system-ui;"
                        + "max-width:40rem;margin:1rem auto;padding:0 1rem}.ok{color:#05620f}.err{color:#9b1111}"
                        + "h1{font-size:1.4rem}a{color:#1d4e89}</style><main><h1>Connexion</h1>" + body + "</main></html>");
    }

    private static String emptyToNull(String v) { return v == null || v.isEmpty() ? null : v; }

    /** Base64url SHA-256: the PKCE S256 challenge, and what the login keeps of the browser's cookie. */
    static String sha256(String value) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
