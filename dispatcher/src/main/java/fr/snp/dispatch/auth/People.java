package fr.snp.dispatch.auth;

/**
 * What people (not software) sign in with: the roster, their sessions, the live feed's one-time tickets, and the
 * address their browsers reach this server at (the base of the OpenID Connect redirect URI); and the short sessions
 * of the widgets embedded in their organisations' sites, with the origins those sites are served from.
 */
public record People(Roster roster, Sessions sessions, LiveTickets tickets, WidgetSessions widgets, String baseUrl) {}
