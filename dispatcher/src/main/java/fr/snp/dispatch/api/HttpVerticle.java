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
        // the contract, parsed and checked once per event loop, validates the requests of its routes
        return ApiContract.load().contract(vertx).compose(contract -> vertx.createHttpServer(new HttpServerOptions()
                        .setTcpNoDelay(true).setCompressionSupported(false))
                .invalidRequestHandler(HttpVerticle::invalid)
                .requestHandler(ApiRouter.build(vertx, services, contract)).listen(port, host));
    }

    /**
     * A request HTTP itself refuses before any route (an address longer than the first line may be, headers too
     * large, a malformed request): answered with the API's JSON error like any other refusal, then the connection
     * is closed (Netty's default answer has no body).
     */
    static void invalid(io.vertx.core.http.HttpServerRequest request) {
        Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
        ApiError error = cause instanceof io.netty.handler.codec.http.TooLongHttpLineException
                ? new ApiError(414, "URI_TOO_LONG", "the request line is too long: send the query in fewer characters", null)
                : cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException
                ? new ApiError(431, "HEADERS_TOO_LARGE", "the request headers are too large", null)
                : new ApiError(400, "MALFORMED_HTTP_REQUEST", "the request is not valid HTTP", null);
        request.response().setStatusCode(error.status).putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Connection", "close").end(error.toJson().encode());
    }
}
