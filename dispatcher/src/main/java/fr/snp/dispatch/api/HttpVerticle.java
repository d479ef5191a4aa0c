package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;

/** One HTTP server on one event loop; several instances share the port (Vert.x balances connections). */
public final class HttpVerticle extends VerticleBase {
    private final Services services;
    private final String host;
    private final int port;

    public HttpVerticle(Services services, String host, int port) {
        this.services = services;
        this.host = host;
        this.port = port;
    }

    @Override
    public Future<?> start() {
        return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setCompressionSupported(false))
                .requestHandler(ApiRouter.build(vertx, services)).listen(port, host);
    }
}
